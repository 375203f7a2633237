import type { FastifyInstance } from 'fastify';
import { test as base } from 'vitest';
import type { Deps } from '../../src/deps/index.js';
import type { BlobStore } from '../../src/storage/index.js';
import { buildTestApp } from './app.js';
import { openTestBackend, type TestBackend } from './backend.js';
import { createWorld, type World } from './fixtures.js';

export interface AppFixtures {
  /** The test database (and store) of this file, on the project's backend. */
  backend: TestBackend;
  /** The HTTP app over it, answering injected requests. */
  app: FastifyInstance;
  /** Two tenants and a logged-in user per role. */
  world: World;
}

/**
 * The test database of this file, the HTTP app over it and the world in it: what `appTest` builds,
 * for files whose `beforeAll` does more with them (listen, seed rows, start emulators).
 */
export async function openTestApp(
  env: Record<string, string> = {},
  overrides: { deps?: Deps; blobs?: BlobStore } = {},
): Promise<AppFixtures> {
  const backend = await openTestBackend();
  const app = await buildTestApp(backend, env, overrides);
  return { backend, app, world: await createWorld(backend, app) };
}

/**
 * The database/app/world set-up that route and domain tests share, as Vitest fixtures built once
 * per file: `const test = appTest(); test('…', async ({ app, world }) => …)`.
 */
export function appTest(env: Record<string, string> = {}) {
  return base.extend<AppFixtures>({
    backend: [
      // biome-ignore lint/correctness/noEmptyPattern: Vitest reads a fixture's dependencies from this pattern
      async ({}, use) => {
        const backend = await openTestBackend();
        await use(backend);
        await backend.close();
      },
      { scope: 'file' },
    ],
    app: [
      async ({ backend }, use) => {
        const app = await buildTestApp(backend, env);
        await use(app);
        await app.close();
      },
      { scope: 'file' },
    ],
    world: [async ({ backend, app }, use) => use(await createWorld(backend, app)), { scope: 'file' }],
  });
}
