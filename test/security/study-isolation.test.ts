import { afterAll, beforeAll, expect, it } from 'vitest';

import { changedTables, readState } from './support/db-state.js';
import { validEvent } from './support/endpoints.js';
import { openWorld, type World } from './support/world.js';

let world: World;
let target: { sessionId: number; playSessionId: number };
beforeAll(async () => {
  world = await openWorld();
  target = await world.newPlaySession();
  const event = validEvent();
  await world.call(
    'POST',
    `/api/v1/events?play_session_id=${target.playSessionId}`,
    event,
    world.a.ingest,
  );
});
afterAll(() => world.close());

/** Each of study B's keys against study A's things: always 403, and A's data untouched. */
const attempts = (w: World, t: typeof target) =>
  [
    ['read A', 'GET', `/api/v1/studies/${w.a.studyId}`, undefined, w.b.researcher],
    ['read A events', 'GET', `/api/v1/sessions/${t.sessionId}/events`, undefined, w.b.researcher],
    [
      'open a session in A',
      'POST',
      '/api/v1/sessions',
      { unique_id: 'x', build_number: '1', study_id: w.a.studyId },
      w.b.ingest,
    ],
    [
      'start a play in A',
      'POST',
      '/api/v1/play-sessions',
      { metric_session_id: t.sessionId },
      w.b.ingest,
    ],
    [
      'write an event to A',
      'POST',
      `/api/v1/events?play_session_id=${t.playSessionId}`,
      validEvent(),
      w.b.ingest,
    ],
    [
      'write a batch to A',
      'POST',
      `/api/v1/events/batch?play_session_id=${t.playSessionId}`,
      [validEvent()],
      w.b.ingest,
    ],
    [
      'close a play in A',
      'POST',
      `/api/v1/play-sessions/${t.playSessionId}/close`,
      undefined,
      w.b.ingest,
    ],
    [
      'close a session in A',
      'POST',
      `/api/v1/sessions/${t.sessionId}/close`,
      undefined,
      w.b.ingest,
    ],
  ] as const;

it("refuses every way one study's keys reach another study's data", async () => {
  const before = await readState(world.pool);

  for (const [what, method, path, body, key] of attempts(world, target)) {
    const res = await world.call(method, path, body, key);
    expect([what, res.status]).toEqual([what, 403]);
  }

  expect(changedTables(before, await readState(world.pool))).toEqual([]);
});

it("lists only the key's own study", async () => {
  const res = await world.call('GET', '/api/v1/studies', undefined, world.b.researcher);

  expect(res.json().studies.map((s: { id: string }) => s.id)).toEqual([world.b.studyId]);
});

it("files an ingest key's session under its own study when none is named", async () => {
  const res = await world.call(
    'POST',
    '/api/v1/sessions',
    { unique_id: 'x', build_number: '1' },
    world.b.ingest,
  );

  expect(res.status).toBe(201);
  expect(res.json().study_id).toBe(world.b.studyId);
});
