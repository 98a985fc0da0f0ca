import { defineConfig } from 'vitest/config';

// The security suite: a real `webtics serve` process on a PostgreSQL server
// database (see test/security/setup/global-server.ts). Files share that
// process and count rows in its database, so they run one after another.
export default defineConfig({
  test: {
    include: ['test/security/**/*.test.ts'],
    globalSetup: ['test/security/setup/global-server.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
