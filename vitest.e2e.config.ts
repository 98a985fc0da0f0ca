import { defineConfig } from 'vitest/config';

// The SDKs against a real `webtics serve` process (built: `npm run build`
// first), in Node and in Debian's Chromium, with a fault proxy in between.
// Slow and timing-bound, so files run one after another, on their own.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
