import { count } from 'drizzle-orm';
import { DEMO_ANALYSIS } from '../analysis/demo-analysis.js';
import { addMembership, createUser } from '../auth/index.js';
import { tables } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import type { OutboundGuard } from '../lib/ssrf.js';
import { createAgent, publishAgentVersion } from './agents/index.js';
import { createN8nConnection } from './n8n/index.js';
import { registerNumber } from './phone-numbers/index.js';
import { createTenant } from './tenants/index.js';
import { createTool } from './tools/index.js';

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

/** Each demo tenant has a receptionist agent answering one number. */
export const DEMO_TENANTS = [
  { slug: 'acme-dental', name: 'Acme Dental', e164: '+15005550006', business: 'a dental practice' },
  { slug: 'bright-plumbing', name: 'Bright Plumbing', e164: '+15005550007', business: 'a plumbing company' },
];

/** The n8n workflow path the demo's booking tool calls (the sandbox installs it at start-up). */
export const DEMO_BOOKING_PATH = 'book-appointment';

/** The demo's booking tool, bound to the n8n connection `connectionId` (what `POST …/tools` takes). */
export function demoBookingTool(connectionId: string) {
  return {
    name: 'book_appointment',
    description: 'Books an appointment and returns the day, time and confirmation number.',
    inputSchema: {
      type: 'object',
      properties: { service: { type: 'string' }, date: { type: 'string' }, time: { type: 'string' } },
      required: ['service', 'date', 'time'],
      additionalProperties: false,
    },
    connectionId,
    webhookPath: DEMO_BOOKING_PATH,
  };
}

export interface DemoSandbox {
  /** Base URL of the n8n the demo tools are bound to (the sandbox's n8n emulator). */
  n8nUrl: string;
  outbound: OutboundGuard;
}

async function seedDemoAgent(
  deps: Deps,
  tenantId: string,
  tenant: (typeof DEMO_TENANTS)[number],
  sandbox?: DemoSandbox,
) {
  const toolIds: string[] = [];
  if (sandbox) {
    const connection = await createN8nConnection(deps, sandbox.outbound, SYSTEM_ACTOR, tenantId, {
      name: 'Sandbox n8n',
      baseUrl: sandbox.n8nUrl,
    });
    const tool = await createTool(deps, SYSTEM_ACTOR, tenantId, demoBookingTool(connection.id));
    toolIds.push(tool.id);
  }
  const agent = await createAgent(deps, SYSTEM_ACTOR, tenantId, {
    name: 'Front desk',
    draft: {
      systemPrompt: `You are the friendly receptionist of ${tenant.name}, ${tenant.business}. Book appointments with the book_appointment tool; once one is booked, record the outcome appointment_booked with set_outcome.`,
      greeting: `Hi, this is ${tenant.name}. How can I help you today?`,
      voice: { model: 'mistv2', speaker: 'cove' },
      toolIds,
      // The shipped book-appointment scenario reports appointment_booked through set_outcome.
      outcomeLabels: ['appointment_booked', 'question_answered', 'no_booking'],
      analysis: DEMO_ANALYSIS,
    },
  });
  await publishAgentVersion(deps, SYSTEM_ACTOR, tenantId, agent.id, { note: 'demo' });
  await (await import('../quality/seed-demo-suite.js')).seedDemoSuite(deps, tenantId, agent.id);
  await registerNumber(deps, SYSTEM_ACTOR, tenantId, {
    e164: tenant.e164,
    label: 'Main line',
    agentId: agent.id,
  });
}

/**
 * Seeds the demo into an empty database; returns false (and does nothing) when users already exist.
 * With a sandbox, each tenant also gets an n8n connection to it and a booking tool.
 */
export async function seedDemo(deps: Deps, sandbox?: DemoSandbox): Promise<boolean> {
  const [row] = await deps.db.select({ n: count() }).from(tables.users);
  if ((row?.n ?? 0) > 0) return false;
  const tenantIds = new Map<string, string>();
  for (const t of DEMO_TENANTS) {
    const tenant = await createTenant(deps, SYSTEM_ACTOR, { name: t.name, slug: t.slug });
    tenantIds.set(t.slug, tenant.id);
    await seedDemoAgent(deps, tenant.id, t, sandbox);
  }
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
