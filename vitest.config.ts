import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests named *.db.test.ts touch the system of record or the ephemeral store: they run twice,
// once on the embedded defaults (PGlite + in-memory store) and once on PostgreSQL + Redis.
// Every other *.test.ts is backend-independent and runs once.
const dbTests = ['src/**/*.db.test.ts', 'packages/*/src/**/*.db.test.ts', 'test/**/*.db.test.ts'];
// The store contract runs the memory and Redis stores side by side: it needs the project with Redis.
const servicesOnly = ['src/store/store-contract.test.ts'];
// The web app in a real browser (Debian's Chromium) against a real server: its own project.
const browserTests = ['test/browser/**/*.test.ts'];

export default defineConfig({
  // Workspace packages run from source in tests, as tsx runs them through tsconfig's `paths`.
  resolve: {
    alias: {
      '@switchboard/sandbox': fileURLToPath(new URL('./packages/sandbox/src/index.ts', import.meta.url)),
    },
  },
  test: {
    // Sandbox calls at the fast pace (no human speech pace or provider latency) unless a test asks.
    env: { SANDBOX_PACE: 'fast' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...dbTests, ...servicesOnly, ...browserTests],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: browserTests,
          testTimeout: 120_000,
          hookTimeout: 420_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'embedded',
          include: dbTests,
          env: { SWITCHBOARD_TEST_BACKEND: 'embedded' },
          // A file-scoped fixture (test/support/app-test.ts) opens its database inside the first test.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'services',
          include: [...dbTests, ...servicesOnly],
          env: { SWITCHBOARD_TEST_BACKEND: 'services' },
          testTimeout: 60_000,
          globalSetup: ['test/support/services-global-setup.ts'],
        },
      },
    ],
  },
});
