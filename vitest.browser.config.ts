import { defineConfig } from 'vitest/config';

// Browser tests drive the built pages (`npm run build` first) in Debian's
// Chromium through playwright-core. They are slow, so they run on their own.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
