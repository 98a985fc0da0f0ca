import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import { testConfig } from '../helpers/config.js';
import { redactedPaths } from '../../src/logger.js';
import type { App } from '../../src/routes/types.js';
import { openTestDatabase } from '../helpers/database.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../helpers/factories.js';

describe('request log', () => {
  const lines: Record<string, unknown>[] = [];
  let text = '';
  let app: App;
  let close: () => Promise<void>;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let playSessionId: number;

  beforeAll(async () => {
    const database = await openTestDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info', redact: redactedPaths }, sink);
    app = await buildApp({ config: testConfig(), db: database.db, logger });
    keys = await makeStudyWithKeys(database.db, 'alpha');
    playSessionId = (await makePlaySession(database.db, 'alpha')).playSession.id;
    close = async () => {
      await app.close();
      await database.close();
    };
  });
  afterAll(() => close());

  it('writes one line per request with id, route, status, duration and key id', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/studies',
      headers: { 'x-api-key': keys.admin },
    });

    const line = lines.find(
      (entry) => entry.request_id === res.headers['x-request-id'] && entry.msg === 'request done',
    );
    expect(line).toMatchObject({
      method: 'GET',
      route: '/api/v1/studies',
      status: 200,
      key_id: expect.any(Number),
      duration_ms: expect.any(Number),
    });
  });

  it('never writes a key or an event payload', async () => {
    const secret = 'participant-said-something-private';
    await app.inject({
      method: 'POST',
      url: `/api/v1/events/batch?play_session_id=${playSessionId}`,
      headers: { 'x-api-key': keys.ingest, 'content-type': 'application/json' },
      payload: [
        makeEvent({ data: { note: secret } }),
        makeEvent({ magnitude: -1, data: { note: secret } }),
      ],
    });
    await app.inject({
      method: 'GET',
      url: '/api/v1/studies',
      headers: { 'x-api-key': `${keys.ingest}x` },
    });

    expect(text).toContain('request done');
    expect(text).not.toContain(secret);
    for (const key of [keys.ingest, keys.admin]) expect(text).not.toContain(key);
  });
});
