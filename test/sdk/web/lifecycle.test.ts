import { afterEach, describe, expect, it, vi } from 'vitest';

import { EventType } from '../../../sdk/web/src/webtics.js';
import { makeRig, settle, startPlaying } from './support/rig.js';

/** A page's window and document, enough for the SDK's listeners. */
function fakePage() {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  vi.stubGlobal('document', document);
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
  vi.stubGlobal('removeEventListener', window.removeEventListener.bind(window));
  return {
    hide() {
      document.visibilityState = 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
    },
    pageHide(persisted: boolean) {
      window.dispatchEvent(Object.assign(new Event('pagehide'), { persisted }));
    },
  };
}

describe('page hide', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('flushes with keepalive when the page is hidden', async () => {
    const page = fakePage();
    const rig = makeRig();
    const client = rig.client({ watchLifecycle: true });
    await startPlaying(client);
    client.log(EventType.TASK_START);

    page.hide();
    await settle();

    const [send] = rig.server.requests.filter((request) => request.path.includes('/events/batch'));
    expect(send!.keepalive).toBe(true);
    expect(rig.server.stored.size).toBe(1);
    await client.close();
  });

  it('keeps keepalive bodies under 64 KB by sending smaller batches', async () => {
    const page = fakePage();
    const rig = makeRig();
    const client = rig.client({ watchLifecycle: true, batchSize: 1000 });
    await startPlaying(client);
    const data = { padding: 'x'.repeat(1000) };
    for (let i = 0; i < 200; i++) client.log(EventType.TRIAL_START, { data });

    page.pageHide(true);
    await settle();

    const sends = rig.server.requests.filter((request) => request.path.includes('/events/batch'));
    expect(sends.length).toBeGreaterThan(3);
    for (const send of sends) {
      expect(send.keepalive).toBe(true);
      expect(new TextEncoder().encode(JSON.stringify(send.body)).length).toBeLessThan(60_000);
    }
    expect(rig.server.stored.size).toBe(200);
    await client.close();
  });

  it('releases the queue on a final pagehide, so the next page adopts what is unsent', async () => {
    const page = fakePage();
    const rig = makeRig();
    const client = rig.client({ watchLifecycle: true, retry: { maxAttempts: 1 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', 'network_error');
    const id = client.log(EventType.TASK_START);

    page.pageHide(false);
    await settle();
    expect(rig.server.stored.size).toBe(0);

    const nextPage = rig.client();
    await nextPage.flush();
    expect(rig.server.stored.has(id)).toBe(true);
    await client.close();
  });

  it('does not release the queue when the page goes to the back-forward cache', async () => {
    const page = fakePage();
    const rig = makeRig();
    const client = rig.client({ watchLifecycle: true, retry: { maxAttempts: 1 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', 'network_error');
    client.log(EventType.TASK_START);

    page.pageHide(true);
    await settle();
    const otherTab = rig.client();
    await otherTab.flush();

    expect(rig.server.stored.size).toBe(0);
    expect(client.pendingEvents).toBe(1);
    await client.close();
  });

  it('stops listening once closed', async () => {
    const page = fakePage();
    const rig = makeRig();
    const client = rig.client({ watchLifecycle: true });
    await startPlaying(client);
    await client.close();

    page.hide();
    await settle();

    expect(rig.server.batches).toHaveLength(0);
  });
});

describe('Node process exit', () => {
  it('flushes on beforeExit, and releases the queue on exit', async () => {
    const rig = makeRig();
    const client = rig.client({ watchLifecycle: true, instanceId: 'exiting' });
    await startPlaying(client);
    client.log(EventType.TASK_START);

    process.emit('beforeExit', 0);
    await settle();
    expect(rig.server.stored.size).toBe(1);

    rig.server.answerNext('/events/batch', 'network_error');
    process.emit('exit', 0);
    const meta = JSON.parse(rig.storage.getItem('webtics:exiting')!);
    expect(meta.released).toBe(true);
    await client.close();
  });

  it('gives up the exit flush after closeTimeoutMs; the events stay stored', async () => {
    const rig = makeRig();
    const hanging: typeof fetch = (input, init) =>
      (input as string).includes('/events/batch')
        ? new Promise((_resolve, reject) =>
            init!.signal!.addEventListener('abort', () => reject(new Error('aborted'))),
          )
        : rig.server.fetch(input, init);
    const client = rig.client({
      watchLifecycle: true,
      fetch: hanging,
      closeTimeoutMs: 2000,
      requestTimeoutMs: 60_000,
    });
    await startPlaying(client);
    client.log(EventType.TASK_START);

    process.emit('beforeExit', 0);
    await settle();
    rig.clock.advance(2000);
    await settle();

    expect(rig.errors).toEqual([expect.objectContaining({ code: 'interrupted' })]);
    expect(client.pendingEvents).toBe(1);
    const closing = client.close();
    await settle();
    rig.clock.advance(2000);
    await closing;
    expect(client.pendingEvents).toBe(1);
  });

  it('adds no listeners when watchLifecycle is false', () => {
    const before = process.listenerCount('beforeExit');
    makeRig().client();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });
});
