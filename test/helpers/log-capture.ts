import { Writable } from 'node:stream';

import { pino, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Every line written so far, as the raw text. */
  text(): string;
}

/** A JSON logger at `info` whose output the test can read back. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, sink),
    lines: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>),
    text: () => chunks.join(''),
  };
}
