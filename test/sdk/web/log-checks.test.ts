import { describe, expect, it } from 'vitest';

import { EventType, type LogFields } from '../../../sdk/web/src/webtics.js';
import { makeRig, startPlaying } from './support/rig.js';

// What the server would refuse for the whole batch, or JSON would turn into
// null: log() refuses it at once, and the event uses no sequence number.

function nested(levels: number): Record<string, unknown> {
  let data: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) data = { deeper: data };
  return data;
}

function cycle(): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  data.self = data;
  return data;
}

/** JSON of exactly `bytes` bytes: `{"s":"xxx…"}`. */
function ofBytes(bytes: number): Record<string, unknown> {
  return { s: 'x'.repeat(bytes - '{"s":""}'.length) };
}

const refused: [string, LogFields, RegExp][] = [
  ['a NUL in a string', { data: { note: 'a\u0000b' } }, /data\.note holds a NUL/],
  ['a NUL in a key', { data: { 'a\u0000': 1 } }, /a key in data holds a NUL/],
  ['a lone high surrogate', { data: { list: ['ok', '\uD83D'] } }, /data\.list\[1\].*surrogate/],
  ['a lone low surrogate', { data: { a: { b: 'x\uDE00y' } } }, /data\.a\.b.*surrogate/],
  ['NaN in data', { data: { rt: NaN } }, /data\.rt is NaN/],
  ['Infinity as magnitude', { magnitude: Infinity }, /magnitude is Infinity/],
  ['NaN as x', { x: NaN }, /x is NaN/],
  ['an integer beyond 2^53 − 1', { data: { id: 2 ** 53 } }, /data\.id is an integer beyond/],
  ['a negative one', { data: { id: -(2 ** 53) } }, /data\.id is an integer beyond/],
  ['a huge subtype', { subtype: 1e300 }, /subtype is an integer beyond/],
  ['nesting of 33 levels', { data: nested(33) }, /data nests deeper than 32/],
  ['10 241 bytes of JSON', { data: ofBytes(10_241) }, /takes 10241 bytes/],
  ['a __proto__ key', { data: JSON.parse('{"a":{"__proto__":{}}}') }, /__proto__/],
  ['constructor.prototype', { data: { constructor: { prototype: {} } } }, /prototype/],
  ['a BigInt', { data: { n: 1n } }, /data\.n is a BigInt/],
  ['a cycle', { data: cycle() }, /cannot be sent as JSON/],
  [
    'a toJSON() that gives undefined',
    { data: { toJSON: () => undefined } },
    /data becomes nothing/,
  ],
  ['an invalid Date', { at: new Date(NaN) }, /at is no date/],
];

describe('log() refuses what could never be sent', () => {
  it.each(refused)(
    'throws a TypeError for %s, and uses no sequence number',
    async (_, fields, message) => {
      const rig = makeRig();
      const client = rig.client();
      await startPlaying(client);

      expect(() => client.log(EventType.TRIAL_START, fields)).toThrow(TypeError);
      expect(() => client.log(EventType.TRIAL_START, fields)).toThrow(message);
      client.log(EventType.TRIAL_START);
      await client.flush();

      expect(client.pendingEvents).toBe(0);
      expect(rig.server.batches.flat().map((event) => event.sequence)).toEqual([1]);
    },
  );

  it('takes data right at the limits: 32 levels, 10 240 bytes, ±(2^53 − 1), paired surrogates', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);

    client.log(EventType.TRIAL_START, { data: nested(32) });
    client.log(EventType.TRIAL_START, { data: ofBytes(10_240) });
    client.log(EventType.TRIAL_START, {
      data: { max: 2 ** 53 - 1, min: -(2 ** 53 - 1), f: 1.5e-300 },
    });
    client.log(EventType.TRIAL_START, { data: { emoji: '😀', ключ: 'ü', when: new Date(0) } });
    await client.flush();

    expect(rig.server.stored.size).toBe(4);
    expect(rig.server.batches[0]![3]!.data).toEqual({
      emoji: '😀',
      ключ: 'ü',
      when: '1970-01-01T00:00:00.000Z',
    });
  });

  it('sends data as it was when logged, whatever the game changes afterwards', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);

    const data = { trial: 1, answers: [1] };
    client.log(EventType.TRIAL_START, { data });
    data.trial = 2;
    data.answers.push(2);
    await client.flush();

    expect(rig.server.batches[0]![0]!.data).toEqual({ trial: 1, answers: [1] });
  });
});
