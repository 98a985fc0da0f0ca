import type { Clock } from '../../../../sdk/web/src/clock.js';

interface Timer {
  at: number;
  callback: () => void;
}

/**
 * A virtual clock: time moves only when the SDK sleeps or a test calls
 * `advance`. Sleeps finish at once (after moving time on) and are recorded,
 * so a test can read every backoff the SDK chose.
 */
export class FakeClock implements Clock {
  /** Virtual ms since the test began; also the monotonic clock. */
  elapsed = 0;
  /** Added to the wall clock only: a device whose clock is wrong. */
  wallOffsetMs = 0;
  randomValue = 0.5;
  /** Drawn by random() first, one by one; then randomValue. */
  readonly draws: number[] = [];
  readonly sleeps: number[] = [];
  private readonly timers = new Set<Timer>();

  constructor(private readonly wallStart = Date.parse('2026-03-01T12:00:00.000Z')) {}

  now(): Date {
    return new Date(this.wallStart + this.elapsed + this.wallOffsetMs);
  }

  monotonic(): number {
    return this.elapsed;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.advance(ms);
    if (signal?.aborted) throw signal.reason;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = { at: this.elapsed + ms, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  random(): number {
    return this.draws.shift() ?? this.randomValue;
  }

  /** Moves time on, firing the timers that fall due, in order. */
  advance(ms: number): void {
    const end = this.elapsed + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at)[0];
      if (next === undefined || next.at > end) break;
      this.timers.delete(next);
      this.elapsed = Math.max(this.elapsed, next.at);
      next.callback();
    }
    this.elapsed = end;
  }
}
