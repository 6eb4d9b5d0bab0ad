import { defineConfig } from 'vitest/config';

// Without a Postgres server, tests share one embedded PGlite: a single session, so test files run one at a time.
const embedded = !process.env.PGHOST && !process.env.DATABASE_URL;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: !embedded,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
