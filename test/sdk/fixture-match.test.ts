import { describe, expect, it } from 'vitest';

import { loadWireFixtures, matchValue, materialize } from './fixture-match.js';

const id = '3b241101-e2bb-4255-8caf-4136c566a962';

describe('matchValue', () => {
  it('matches objects by subset and arrays element by element, of equal length', () => {
    expect(matchValue({ a: 1 }, { a: 1, b: 2 }, {}, {})).toEqual([]);
    expect(matchValue({ a: 1, c: 3 }, { a: 1 }, {}, {})).toEqual(['$.c: missing']);
    expect(matchValue([1, 2], [1, 2, 3], {}, {})).toEqual(['$: expected 2 items, got 3']);
    expect(matchValue([{ a: 1 }], [{ a: 2 }], {}, {})).toEqual(['$[0].a: expected 1, got 2']);
  });

  it('checks the kind of <uuid>, <iso-time>, <number>, <integer> and <any>', () => {
    expect(matchValue('<uuid>', id, {}, {})).toEqual([]);
    expect(matchValue('<uuid>', 'not-a-uuid', {}, {})).toHaveLength(1);
    expect(matchValue('<iso-time>', '2026-03-01T12:00:00.000Z', {}, {})).toEqual([]);
    expect(matchValue('<iso-time>', '2026-03-01T12:00:00+02:00', {}, {})).toEqual([]);
    expect(matchValue('<iso-time>', '2026-03-01 12:00', {}, {})).toHaveLength(1);
    expect(matchValue('<iso-time>', '2026-03-01T12:00:00', {}, {})).toHaveLength(1);
    expect(matchValue('<number>', 1.5, {}, {})).toEqual([]);
    expect(matchValue('<number>', '1.5', {}, {})).toHaveLength(1);
    expect(matchValue('<integer>', 2, {}, {})).toEqual([]);
    expect(matchValue('<integer>', 2.5, {}, {})).toHaveLength(1);
    expect(matchValue('<any>', null, {}, {})).toEqual([]);
    expect(matchValue({ a: '<any>' }, {}, {}, {})).toEqual(['$.a: missing']);
  });

  it('captures a labelled value once and holds later ones to it', () => {
    const captures = {};
    expect(matchValue('<uuid:e1>', id, captures, {})).toEqual([]);
    expect(captures).toEqual({ e1: id });
    expect(matchValue('<uuid:e1>', id, captures, {})).toEqual([]);
    const other = id.replace('3b', '4c');
    expect(matchValue('<uuid:e1>', other, captures, {})).toHaveLength(1);
  });

  it('replaces {name} by a run value or a capture, keeping its type when it is the whole string', () => {
    const vars = { api_key: 'k', play_session_id: 7 };
    expect(matchValue('{play_session_id}', 7, {}, vars)).toEqual([]);
    expect(matchValue('{play_session_id}', '7', {}, vars)).toHaveLength(1);
    expect(
      matchValue('/batch?play_session_id={play_session_id}', '/batch?play_session_id=7', {}, vars),
    ).toEqual([]);
    expect(matchValue('{session_id}', 41, { session_id: 41 }, vars)).toEqual([]);
    expect(matchValue('{nothing}', 1, {}, vars)).toEqual(['$: {nothing} has no value']);
  });
});

describe('materialize', () => {
  it('fills in run values, captures and fresh values of each kind', () => {
    const captures: Record<string, unknown> = { e1: id };
    const now = () => new Date('2026-03-01T12:00:00.000Z');
    const value = materialize(
      { a: '{x}', b: '<uuid:e1>', c: '<uuid:e2>', t: '<iso-time>', p: '/p/{x}', n: ['<integer>'] },
      captures,
      { x: 5 },
      { now },
    ) as Record<string, unknown>;

    expect(value).toMatchObject({ a: 5, b: id, t: '2026-03-01T12:00:00.000Z', p: '/p/5', n: [1] });
    expect(value.c).toBe(captures.e2);
    expect(matchValue('<uuid>', value.c, {}, {})).toEqual([]);
  });
});

describe('the wire fixtures', () => {
  it('are well formed: each exchange has a request, an answer and a server flag', () => {
    for (const fixture of loadWireFixtures()) {
      expect(fixture.name, fixture.file).toBe(fixture.file.replace(/\.json$/, ''));
      expect(fixture.script.length, fixture.file).toBeGreaterThan(0);
      for (const exchange of fixture.exchanges) {
        expect(typeof exchange.server, fixture.file).toBe('boolean');
        expect(exchange.request.method, fixture.file).toMatch(/^(GET|POST)$/);
        expect(exchange.request.path, fixture.file).toMatch(/^\/api\/v1\//);
        expect(exchange.response, fixture.file).toBeTypeOf('object');
      }
    }
  });
});
