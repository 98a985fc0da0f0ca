import { describe, expect, it } from 'vitest';

import { errorBody } from './support/fake-server.js';
import { makeRig } from './support/rig.js';

const receipt = {
  study_id: 'study',
  participant_id: 'p-7f3k2m',
  withdrawal_code: 'WTC-ABCD-EFGH',
  privacy_level: 'pseudonymous',
  consented_at: '2026-03-01T12:00:00.000Z',
};

describe('consent and withdrawal', () => {
  it('sends a consent in snake_case with the key, leaving out what was not given', async () => {
    const rig = makeRig();
    const client = rig.client();
    rig.server.answerNext('/research/consent', { status: 201, body: receipt });

    const answer = await client.consent({ consentVersion: '2.1', ageRange: '18-25' });

    const request = rig.server.requests[0]!;
    expect([request.method, request.path]).toEqual(['POST', '/api/v1/research/consent']);
    expect(request.body).toEqual({ consent_version: '2.1', age_range: '18-25' });
    expect(request.headers['x-api-key']).toBe('wt_test_key');
    expect(answer.withdrawal_code).toBe('WTC-ABCD-EFGH');
  });

  it('sends a consent again only when the server says it did nothing (503, 429)', async () => {
    const rig = makeRig();
    const client = rig.client();
    rig.server.answerNext(
      '/research/consent',
      { status: 503, headers: { 'retry-after': '1' }, body: errorBody('unavailable', true) },
      { status: 201, body: receipt },
    );
    await client.consent({ consentVersion: '2.1' });
    expect(rig.server.requests).toHaveLength(2);

    rig.server.answerNext('/research/consent', 'network_error', { status: 201, body: receipt });
    await expect(client.consent({ consentVersion: '2.1' })).rejects.toMatchObject({
      code: 'network_error',
    });
    expect(rig.server.requests).toHaveLength(3);
  });

  it('withdraws with the code in the body and no API key', async () => {
    const rig = makeRig();
    const client = rig.client();
    const signed = { receipt: { type: 'webtics.deletion-receipt', version: 1 }, signature: 's' };
    rig.server.answerNext('/research/withdraw', { status: 200, body: signed });

    const answer = await client.withdraw('WTC-ABCD-EFGH');

    const request = rig.server.requests[0]!;
    expect(request.path).toBe('/api/v1/research/withdraw');
    expect(request.body).toEqual({ code: 'WTC-ABCD-EFGH' });
    expect(request.headers['x-api-key']).toBeUndefined();
    expect(answer).toEqual(signed);
  });

  it('reports a used code (409) at once, without retrying', async () => {
    const rig = makeRig();
    const client = rig.client();
    rig.server.answerNext('/research/withdraw', {
      status: 409,
      body: errorBody('already_withdrawn', false),
    });

    await expect(client.withdraw('WTC-ABCD-EFGH')).rejects.toMatchObject({ status: 409 });
    expect(rig.server.requests).toHaveLength(1);
  });

  it('downloads a participant’s data with the code in the body, never in the URL', async () => {
    const rig = makeRig();
    const client = rig.client();
    rig.server.answerNext('/research/my-data', {
      status: 200,
      body: { consent: receipt, sessions: [], play_sessions: [], events: [] },
    });

    const data = await client.myData('WTC-ABCD-EFGH');

    const request = rig.server.requests[0]!;
    expect(request.path).toBe('/api/v1/research/my-data');
    expect(request.body).toEqual({ code: 'WTC-ABCD-EFGH' });
    expect(request.headers['x-api-key']).toBeUndefined();
    expect(data.consent.participant_id).toBe('p-7f3k2m');
  });
});
