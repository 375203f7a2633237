import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { addMembership, createUser } from '../../src/auth/index.js';
import { createTenant } from '../../src/control/tenants/index.js';
import { tables, withTenant } from '../../src/db/index.js';
import type { Deps } from '../../src/deps/index.js';
import { SYSTEM_ACTOR } from '../../src/lib/actor.js';
import { newId } from '../../src/lib/ids.js';
import { type Credentials, loginAs } from './app.js';
import { openTestBackend, type TestBackend } from './backend.js';

export const TEST_PASSWORD = 'correct-horse-battery-staple';

export interface World {
  tenantA: string;
  tenantB: string;
  users: { admin: string; operator: string; viewerA: string; viewerB: string };
  as: { admin: Credentials; operator: Credentials; viewerA: Credentials; viewerB: Credentials };
}

/** Two tenants, one user per role (a viewer in each tenant), all logged in. Unique per call. */
export async function createWorld(backend: TestBackend, app: FastifyInstance): Promise<World> {
  const tag = randomBytes(4).toString('hex');
  const deps = backend.deps;
  const tenantA = (await createTenant(deps, SYSTEM_ACTOR, { name: `A ${tag}`, slug: `a-${tag}` })).id;
  const tenantB = (await createTenant(deps, SYSTEM_ACTOR, { name: `B ${tag}`, slug: `b-${tag}` })).id;
  const mk = (name: string, platformRole: 'internal_admin' | 'internal_operator' | null) =>
    createUser(deps, SYSTEM_ACTOR, {
      email: `${name}-${tag}@example.com`,
      name,
      password: TEST_PASSWORD,
      platformRole,
    });
  const admin = await mk('admin', 'internal_admin');
  const operator = await mk('operator', 'internal_operator');
  const viewerA = await mk('viewer-a', null);
  const viewerB = await mk('viewer-b', null);
  await addMembership(deps, SYSTEM_ACTOR, { userId: viewerA.id, tenantId: tenantA, role: 'client_viewer' });
  await addMembership(deps, SYSTEM_ACTOR, { userId: viewerB.id, tenantId: tenantB, role: 'client_viewer' });
  const login = (u: { email: string }) => loginAs(app, u.email, TEST_PASSWORD);
  return {
    tenantA,
    tenantB,
    users: { admin: admin.id, operator: operator.id, viewerA: viewerA.id, viewerB: viewerB.id },
    as: {
      admin: await login(admin),
      operator: await login(operator),
      viewerA: await login(viewerA),
      viewerB: await login(viewerB),
    },
  };
}

/** A tenant named `name` (one word), with a slug no other test's tenant has; answers its id. */
export async function createTestTenant(deps: Deps, name: string): Promise<string> {
  const slug = `${name.toLowerCase()}-${randomBytes(4).toString('hex')}`;
  return (await createTenant(deps, SYSTEM_ACTOR, { name, slug })).id;
}

/** The test database of this file with one tenant in it: for domain tests below the HTTP app. */
export async function openTenantBackend(name: string): Promise<{ backend: TestBackend; tenantId: string }> {
  const backend = await openTestBackend();
  return { backend, tenantId: await createTestTenant(backend.deps, name) };
}

/** A call Twilio is ringing: its row with a CallSid, not yet claimed by a worker. */
export async function insertRingingCall(
  deps: Deps,
  tenantId: string,
  startedAt?: Date,
): Promise<{ id: string; sid: string }> {
  const id = newId('call');
  const sid = `CA${id.slice(5)}`;
  await withTenant(deps.db, tenantId, (tx) =>
    tx.insert(tables.calls).values({ id, tenantId, twilioCallSid: sid, status: 'ringing', startedAt }),
  );
  return { id, sid };
}
