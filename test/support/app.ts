import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/index.js';
import type { Deps } from '../../src/deps/index.js';
import { buildApp } from '../../src/http/app.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/http/auth-hooks.js';
import { createServices } from '../../src/platform/services.js';
import type { BlobStore } from '../../src/storage/index.js';
import type { TestBackend } from './backend.js';

export async function buildTestApp(
  backend: TestBackend,
  env: Record<string, string> = {},
  overrides: { deps?: Deps; blobs?: BlobStore } = {},
): Promise<FastifyInstance> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const services = createServices(config, { blobs: overrides.blobs });
  const { outbound, gateway, publicUrl, blobs } = services;
  // Injected requests only: the URL the server would have on its configured port.
  publicUrl.resolveFromAddress({ address: config.host, family: '', port: config.port });
  const app = await buildApp({
    config,
    database: backend.database,
    deps: overrides.deps ?? backend.deps,
    outbound,
    gateway,
    publicUrl,
    blobs,
  });
  app.addHook('onClose', () => services.close());
  await app.ready();
  return app;
}

/** Credentials a test client sends: a session cookie + CSRF token, or an API key. */
export type Credentials = { cookie: string; csrfToken: string } | { apiKey: string } | null;

export async function loginAs(app: FastifyInstance, email: string, password: string): Promise<Credentials> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed for ${email}: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  return { cookie: `${SESSION_COOKIE}=${cookie!.value}`, csrfToken: res.json().csrfToken };
}

export function authHeaders(credentials: Credentials): Record<string, string> {
  if (!credentials) return {};
  if ('apiKey' in credentials) return { authorization: `Bearer ${credentials.apiKey}` };
  return { cookie: credentials.cookie, [CSRF_HEADER]: credentials.csrfToken };
}

export function call(
  app: FastifyInstance,
  credentials: Credentials,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    headers: authHeaders(credentials),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/**
 * Reads a paginated list from `url` (which sets the page size) to its end, following `nextCursor`:
 * the items of each page, in order.
 */
export async function listPages<T>(
  app: FastifyInstance,
  credentials: Credentials,
  url: string,
): Promise<T[][]> {
  const pages: T[][] = [];
  let next = url;
  for (;;) {
    const res = await call(app, credentials, 'GET', next);
    if (res.statusCode !== 200) throw new Error(`GET ${next}: ${res.statusCode} ${res.body}`);
    const page: { items: T[]; nextCursor: string | null } = res.json();
    pages.push(page.items);
    if (!page.nextCursor) return pages;
    next = `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(page.nextCursor)}`;
  }
}
