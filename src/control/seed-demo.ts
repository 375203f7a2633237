import { count } from 'drizzle-orm';
import { addMembership, createUser } from '../auth/index.js';
import { tables } from '../db/index.js';
import { type Deps, SYSTEM_ACTOR } from '../lib/deps.js';
import { createTenant } from './tenants/index.js';

export interface DemoLogin {
  role: string;
  email: string;
  password: string;
  tenant?: string;
}

/** Demo credentials: printed at start-up, meant for a local sandbox only. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  { role: 'internal_admin', email: 'admin@switchboard.local', password: 'demo-admin-password' },
  { role: 'internal_operator', email: 'operator@switchboard.local', password: 'demo-operator-password' },
  {
    role: 'client_viewer',
    email: 'viewer@acme-dental.example',
    password: 'demo-viewer-password',
    tenant: 'acme-dental',
  },
  {
    role: 'client_viewer',
    email: 'viewer@bright-plumbing.example',
    password: 'demo-viewer-password',
    tenant: 'bright-plumbing',
  },
];

const DEMO_TENANTS = [
  { slug: 'acme-dental', name: 'Acme Dental' },
  { slug: 'bright-plumbing', name: 'Bright Plumbing' },
];

/** Seeds the demo into an empty database; returns false (and does nothing) when users already exist. */
export async function seedDemo(deps: Deps): Promise<boolean> {
  const [row] = await deps.db.select({ n: count() }).from(tables.users);
  if ((row?.n ?? 0) > 0) return false;
  const tenantIds = new Map<string, string>();
  for (const t of DEMO_TENANTS) tenantIds.set(t.slug, (await createTenant(deps, SYSTEM_ACTOR, t)).id);
  for (const login of DEMO_LOGINS) {
    const platformRole =
      login.role === 'client_viewer' ? null : (login.role as 'internal_admin' | 'internal_operator');
    const user = await createUser(deps, SYSTEM_ACTOR, {
      email: login.email,
      name: login.email.split('@')[0]!,
      password: login.password,
      platformRole,
    });
    if (login.tenant) {
      await addMembership(deps, SYSTEM_ACTOR, {
        userId: user.id,
        tenantId: tenantIds.get(login.tenant)!,
        role: 'client_viewer',
      });
    }
  }
  return true;
}
