import { eq } from 'drizzle-orm';
import { tables, withAllTenants } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { AgentConfig } from '../agents/agent-config.js';
import { normaliseE164 } from './e164.js';

export interface ResolvedTenant {
  id: string;
  status: 'active' | 'suspended';
  maxConcurrentCalls: number;
}

/** What answers a dialled number, or why nothing does. */
export type NumberResolution =
  | {
      ok: true;
      phoneNumberId: string;
      tenant: ResolvedTenant;
      agent: { id: string; name: string };
      /** The published version; a test call may run another version, or the draft (id and version null). */
      liveVersion: { id: string | null; version: number | null; config: AgentConfig };
      /** Placed by an agent test run (which chose `liveVersion`). */
      testCall?: boolean;
    }
  | { ok: false; reason: 'unknown_number' }
  | {
      ok: false;
      reason: 'tenant_suspended' | 'no_agent' | 'no_published_version';
      phoneNumberId: string;
      tenant: ResolvedTenant;
    };

/**
 * Resolves a dialled number to its tenant, agent and live version in one indexed query (the unique
 * e164 index, then primary keys). Called on every inbound call, before anything about the tenant is
 * known, so it reads across tenants on the audited path.
 */
export async function resolveNumber(
  deps: Pick<Deps, 'db' | 'crossTenantLog'>,
  dialled: string,
): Promise<NumberResolution> {
  const normalised = normaliseE164(dialled);
  if (!normalised.ok) return { ok: false, reason: 'unknown_number' };
  const { phoneNumbers: p, tenants: t, agents: a, agentVersions: v } = tables;
  const [row] = await withAllTenants(
    deps.db,
    { actor: 'telephony', purpose: 'phone_number.resolve' },
    deps.crossTenantLog,
    (tx) =>
      tx
        .select({
          phoneNumberId: p.id,
          tenantId: t.id,
          tenantStatus: t.status,
          maxConcurrentCalls: t.maxConcurrentCalls,
          agentId: a.id,
          agentName: a.name,
          agentArchivedAt: a.archivedAt,
          versionId: v.id,
          version: v.version,
          config: v.config,
        })
        .from(p)
        .innerJoin(t, eq(t.id, p.tenantId))
        .leftJoin(a, eq(a.id, p.agentId))
        .leftJoin(v, eq(v.id, a.liveVersionId))
        .where(eq(p.e164, normalised.value))
        .limit(1),
  );
  if (!row) return { ok: false, reason: 'unknown_number' };
  const tenant: ResolvedTenant = {
    id: row.tenantId,
    status: row.tenantStatus,
    maxConcurrentCalls: row.maxConcurrentCalls,
  };
  const fail = (reason: 'tenant_suspended' | 'no_agent' | 'no_published_version') =>
    ({ ok: false, reason, phoneNumberId: row.phoneNumberId, tenant }) as const;
  if (row.tenantStatus === 'suspended') return fail('tenant_suspended');
  if (!row.agentId || !row.agentName || row.agentArchivedAt) return fail('no_agent');
  if (!row.versionId || row.version === null || !row.config) return fail('no_published_version');
  return {
    ok: true,
    phoneNumberId: row.phoneNumberId,
    tenant,
    agent: { id: row.agentId, name: row.agentName },
    liveVersion: { id: row.versionId, version: row.version, config: row.config as AgentConfig },
  };
}
