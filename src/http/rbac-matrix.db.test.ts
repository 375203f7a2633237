import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, type Credentials, call } from '../../test/support/app.js';
import { openTestApp } from '../../test/support/app-test.js';
import type { TestBackend } from '../../test/support/backend.js';
import type { World } from '../../test/support/fixtures.js';
import type { RouteEntry } from './route-config.js';

/**
 * The RBAC matrix, generated from the live route table: every route × role × (own tenant, other
 * tenant). The expectations restate DESIGN.md's role table independently of src/auth/policy.ts.
 */
const ADMIN_ONLY = new Set([
  'users:write',
  'api_keys:read',
  'api_keys:write',
  'n8n:write',
  'legal_hold:write',
  'retention:write',
  'branding:write',
]);
const CLIENT_PORTAL = new Set(['tenants:read', 'calls:read', 'recordings:read', 'kpis:read']);

type Role = 'admin' | 'operator' | 'viewer';
type Side = 'own' | 'other';

function expectedAllowed(route: RouteEntry, role: Role, side: Side): boolean {
  const access = route.access!;
  if (access === 'authenticated') return true;
  if (role === 'admin') return true;
  if (role === 'operator') return !ADMIN_ONLY.has(access);
  // client_viewer: read-only, own tenant only, client portal data only.
  return (
    route.method === 'GET' && route.url.includes(':tenantId') && side === 'own' && CLIENT_PORTAL.has(access)
  );
}

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let routes: RouteEntry[];
let baseUrl: string;

/** Event streams never end by themselves: read the status over a real socket, then hang up. */
const isEventStream = (route: RouteEntry) => route.url.endsWith('/live');
async function callStream(credentials: Credentials, url: string) {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}${url}`, { headers: authHeaders(credentials), signal: abort.signal });
  const body = res.headers.get('content-type')?.startsWith('text/event-stream') ? '' : await res.text();
  abort.abort();
  return { statusCode: res.status, body, json: () => JSON.parse(body) };
}

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp());
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  routes = app.routeTable.filter(
    (r) =>
      r.method !== 'HEAD' &&
      r.access !== undefined &&
      r.access !== 'public' &&
      !r.url.startsWith('/api/docs'),
  );
}, 180_000); // migrating an embedded PGlite is slow on a busy 2-core machine
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const PLACEHOLDER_IDS: Record<string, string> = {};
function urlFor(route: RouteEntry, side: Side): string {
  return route.url.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'tenantId') return side === 'own' ? world.tenantA : world.tenantB;
    PLACEHOLDER_IDS[name] ??= `${name.replace(/Id$/, '').slice(0, 4)}_00000000000000000000000000`;
    return PLACEHOLDER_IDS[name]!;
  });
}

describe('RBAC matrix', () => {
  it('covers every non-public route', () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const r of app.routeTable) {
      if (r.method === 'HEAD' || r.url.startsWith('/api/docs')) continue;
      expect(r.access, `${r.method} ${r.url}`).toBeDefined();
    }
  });

  for (const role of ['admin', 'operator', 'viewer'] as const) {
    for (const side of ['own', 'other'] as const) {
      it(`${role} × ${side} tenant`, async () => {
        const credentials: Credentials = role === 'viewer' ? world.as.viewerA : world.as[role];
        const mismatches: string[] = [];
        for (const route of routes) {
          if (route.url === '/api/auth/logout') continue; // would end the session the matrix runs on
          const url = urlFor(route, side);
          const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
          const res = isEventStream(route)
            ? await callStream(credentials, url)
            : await call(app, credentials, route.method as 'GET', url, body);
          const allowed = expectedAllowed(route, role, side);
          const denied = res.statusCode === 403 && res.json().error.code === 'FORBIDDEN';
          if (res.statusCode === 401 || res.statusCode >= 500 || allowed === denied) {
            mismatches.push(
              `${route.method} ${route.url}: expected ${allowed ? 'allow' : 'deny'}, got ${res.statusCode} ${res.body.slice(0, 120)}`,
            );
          }
        }
        expect(mismatches).toEqual([]);
      });
    }
  }

  it('refuses every non-public route without credentials', async () => {
    for (const route of routes) {
      const url = urlFor(route, 'own');
      const res = isEventStream(route)
        ? await callStream(null, url)
        : await call(app, null, route.method as 'GET', url);
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });
});
