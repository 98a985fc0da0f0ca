import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileStorage } from '../../../sdk/web/src/node/file-storage.js';
import { EventType } from '../../../sdk/web/src/webtics.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeRig, startPlaying } from './support/rig.js';

describe('FileStorage', () => {
  let dir: { path: string; remove(): void };

  beforeEach(() => {
    dir = makeTempDir('webtics-sdk');
  });

  afterEach(() => dir.remove());

  it('stores, reads and removes strings by key, null for a missing one', () => {
    const storage = new FileStorage(join(dir.path, 'queue'));

    expect(storage.getItem('webtics:a')).toBeNull();
    storage.setItem('webtics:a', 'first');
    storage.setItem('webtics:a', 'second');
    expect(storage.getItem('webtics:a')).toBe('second');
    storage.removeItem('webtics:a');
    storage.removeItem('webtics:a');
    expect(storage.getItem('webtics:a')).toBeNull();
  });

  it('writes through a temporary file and a rename, leaving no temporary file behind', () => {
    const storage = new FileStorage(dir.path);

    storage.setItem('webtics:a', 'x'.repeat(100_000));

    expect(readdirSync(dir.path)).toEqual(['webtics%3Aa.json']);
    expect(readFileSync(join(dir.path, 'webtics%3Aa.json'), 'utf8')).toHaveLength(100_000);
  });

  it('keeps the old value when a crash cut a write short, and clears the leftover', () => {
    const storage = new FileStorage(dir.path, { durable: false });
    storage.setItem('webtics:a', 'complete');
    // What a crash between writing the temporary file and renaming it leaves:
    const leftover = join(dir.path, 'webtics%3Aa.json.1a2b3c.tmp');
    writeFileSync(leftover, 'compl');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(leftover, anHourAgo, anHourAgo);

    const reopened = new FileStorage(dir.path);

    expect(reopened.getItem('webtics:a')).toBe('complete');
    expect(existsSync(leftover)).toBe(false);
  });

  it('leaves alone a fresh temporary file: another process may be writing it', () => {
    const fresh = join(dir.path, 'webtics%3Ab.json.4d5e6f.tmp');
    writeFileSync(fresh, 'in progress');

    new FileStorage(dir.path);

    expect(existsSync(fresh)).toBe(true);
  });

  it('cannot be led outside its directory by a key', () => {
    const storage = new FileStorage(join(dir.path, 'inner'));

    storage.setItem('../../escape', 'no');

    expect(existsSync(join(dir.path, 'escape'))).toBe(false);
    expect(readdirSync(join(dir.path, 'inner'))).toEqual(['..%2F..%2Fescape.json']);
  });

  it('lists its keys from the file names, without temporary files or files of others', () => {
    const storage = new FileStorage(dir.path);
    for (const key of ['webtics:instances', 'webtics:bot-1', 'webtics:bot-1:0', 'a*b%c']) {
      storage.setItem(key, '[]');
    }
    writeFileSync(join(dir.path, 'webtics%3Abot-1.json.4d5e6f.tmp'), 'in progress');
    for (const name of ['notes.txt', 'bad%ZZ.json', 'plain:colon.json', 'star*.json']) {
      writeFileSync(join(dir.path, name), '[]');
    }

    expect(storage.keys().sort()).toEqual(
      ['a*b%c', 'webtics:bot-1', 'webtics:bot-1:0', 'webtics:instances'].sort(),
    );
  });

  it('keeps keys that differ only in case apart on a file system that ignores case', () => {
    const storage = new FileStorage(dir.path);
    const keys = ['webtics:Lab', 'webtics:lab', 'webtics:LAB:0', 'webtics:Instances'];
    for (const key of keys) storage.setItem(key, key);

    const names = readdirSync(dir.path);
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(keys.length);
    expect(names.map((name) => name.replace(/%[0-9A-F]{2}/g, ''))).not.toContainEqual(
      expect.stringMatching(/[A-Z]/),
    );
    expect(keys.map((key) => storage.getItem(key))).toEqual(keys);
    expect(storage.keys().sort()).toEqual([...keys].sort());
  });

  it('renames once the files an older version named with capital letters', () => {
    writeFileSync(join(dir.path, 'webtics%3AStation-3.json'), 'meta');
    writeFileSync(join(dir.path, 'webtics%3AStation-3%3A0.json'), 'segment');
    writeFileSync(join(dir.path, 'webtics%3Ainstances.json'), '["Station-3"]');

    const storage = new FileStorage(dir.path);

    expect(storage.getItem('webtics:Station-3')).toBe('meta');
    expect(storage.getItem('webtics:Station-3:0')).toBe('segment');
    expect(storage.getItem('webtics:instances')).toBe('["Station-3"]');
    expect(readdirSync(dir.path).sort()).toEqual(
      [
        'webtics%3A%53tation-3%3A0.json',
        'webtics%3A%53tation-3.json',
        'webtics%3Ainstances.json',
      ].sort(),
    );
  });

  it('carries a queue and its play session across a process restart', async () => {
    const rig = makeRig();
    const storage = new FileStorage(dir.path);
    const before = rig.client({ storage, instanceId: 'bot-1' });
    await startPlaying(before);
    const ids = [before.log(EventType.TASK_START), before.log(EventType.TRIAL_START)];

    const after = rig.client({ storage: new FileStorage(dir.path), instanceId: 'bot-1' });
    await after.closePlay();

    expect([...rig.server.stored.keys()]).toEqual(ids);
    expect(rig.server.requests.at(-1)!.body).toEqual({ last_sequence: 2 });
  });

  it('after a crash, startSession() sends and closes from the files what was left open', async () => {
    const rig = makeRig();
    const options = { instanceId: 'station-3', heartbeatMs: 1e12 };
    const crashed = rig.client({ ...options, storage: new FileStorage(dir.path) });
    await startPlaying(crashed);
    const ids = [crashed.log(EventType.TASK_START)];
    const playClose = `/api/v1/play-sessions/${crashed.playSessionId}/close`;

    const restarted = rig.client({ ...options, storage: new FileStorage(dir.path) });
    await startPlaying(restarted);
    await restarted.flush();

    expect([...rig.server.stored.keys()]).toEqual(ids);
    const close = rig.server.requests.find((request) => request.path === playClose);
    expect(close?.body).toEqual({ last_sequence: 1 });
    expect(restarted.playSessionId).not.toBe(crashed.playSessionId);
  });

  it('starts empty and reports when a stored file is corrupt', async () => {
    const rig = makeRig();
    const storage = new FileStorage(dir.path);
    const before = rig.client({ storage, instanceId: 'bot-1' });
    await startPlaying(before);
    before.log(EventType.TASK_START);
    writeFileSync(join(dir.path, 'webtics%3Abot-1.json'), '{"v":1, "segm');

    const after = rig.client({ storage: new FileStorage(dir.path), instanceId: 'bot-1' });

    expect(after.pendingEvents).toBe(0);
    expect(after.sessionId).toBeUndefined();
    expect(rig.errors).toEqual([expect.objectContaining({ code: 'storage_corrupt' })]);
    await startPlaying(after);
    after.log(EventType.TASK_START);
    await after.flush();
    expect(rig.server.stored.size).toBe(1);
  });

  it('skips a corrupt segment but keeps the rest of the queue', async () => {
    const rig = makeRig();
    const storage = new FileStorage(dir.path, { durable: false });
    const before = rig.client({ storage, instanceId: 'bot-1' });
    await startPlaying(before);
    for (let i = 0; i < 150; i++) before.log(EventType.TRIAL_START);
    writeFileSync(join(dir.path, 'webtics%3Abot-1%3A0.json'), '[{"playSess');

    const after = rig.client({ storage: new FileStorage(dir.path), instanceId: 'bot-1' });

    expect(after.pendingEvents).toBe(50);
    expect(rig.errors).toEqual([expect.objectContaining({ code: 'storage_corrupt' })]);
  });
});
