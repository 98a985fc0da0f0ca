/** Earliest client time accepted: nothing in a study predates the year 2000. */
export const earliestTimestamp = Date.UTC(2000, 0, 1);

/** The last moment ISO 8601 (and PostgreSQL's text form) writes with four year digits. */
export const latestRepresentable = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** How far ahead of the server's clock a client may be. */
export const maxClockAheadMs = 5 * 60 * 1000;

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,30}))?(Z|([+-])(\d{2}):(\d{2}))$/;

export type TimestampResult =
  { ok: true; time: Date } | { ok: false; rule: string; message: string };

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A time that must lie ahead (key expiry): the same syntax, any time after now. */
export function parseFutureTimestamp(text: string, now = Date.now()): TimestampResult {
  const result = parseTimestamp(text, now, Number.MAX_SAFE_INTEGER);
  if (result.ok && result.time.getTime() <= now) {
    return fail('in_future', 'must lie in the future');
  }
  return result;
}

function fail(rule: string, message: string): TimestampResult {
  return { ok: false, rule, message };
}

/** The rule for a time earlier than allowed, named by its year. */
function tooEarly(earliest: number): TimestampResult {
  const day = new Date(earliest).toISOString().slice(0, 10);
  return fail(`not_before_${day.slice(0, 4)}`, `must not be before ${day}`);
}

/**
 * Reads an ISO 8601 time with an explicit zone. Digits beyond the millisecond
 * are dropped (truncated, not rounded): the store keeps milliseconds.
 */
export function parseTimestamp(
  text: string,
  now = Date.now(),
  latest = now + maxClockAheadMs,
  earliest = earliestTimestamp,
): TimestampResult {
  const match = isoPattern.exec(text);
  if (match === null) {
    return fail(
      'iso8601',
      'must be an ISO 8601 date-time with a zone, like 2026-03-01T12:00:00.000Z',
    );
  }
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map(Number);
  if (year < new Date(earliest).getUTCFullYear()) return tooEarly(earliest);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return fail('real_date', 'is not a real calendar date');
  }
  if (hour > 23 || minute > 59 || second > 59)
    return fail('real_time', 'is not a real time of day');

  const offset = zoneOffsetMinutes(match);
  if (offset === undefined) return fail('zone', 'has a zone offset beyond ±23:59');

  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  if (utc < earliest) return tooEarly(earliest);
  if (utc > latestRepresentable) return fail('not_after_9999', 'must not be after 9999-12-31');
  if (utc > latest) {
    return fail('not_in_future', 'must not be more than 5 minutes ahead of the server clock');
  }
  return { ok: true, time: new Date(utc) };
}

function zoneOffsetMinutes(match: RegExpExecArray): number | undefined {
  if (match[8] === 'Z') return 0;
  const hours = Number(match[10]);
  const minutes = Number(match[11]);
  if (hours > 23 || minutes > 59) return undefined;
  return (match[9] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * A client's wall-clock reading, which may be far off: any real time from
 * 1970 on is accepted, because the point is to learn how far off it is.
 */
export function parseClientClock(text: string): TimestampResult {
  return parseTimestamp(text, 0, Number.MAX_SAFE_INTEGER, 0);
}

/** Checks a time on the server's clock against the event-time rules. */
export function checkEventTime(time: number, now: number): TimestampResult {
  if (time < earliestTimestamp) return tooEarly(earliestTimestamp);
  if (time > now + maxClockAheadMs) {
    return fail('not_in_future', 'must not be more than 5 minutes ahead of the server clock');
  }
  return { ok: true, time: new Date(time) };
}
