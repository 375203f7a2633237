import { and, eq } from 'drizzle-orm';
import type { AgentConfig } from '../control/agents/index.js';
import { type NumberResolution, resolveNumber } from '../control/index.js';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { EphemeralStore } from '../store/index.js';

/** The version (or draft) a test call runs instead of the published one. */
export interface TestCallTarget {
  agentId: string;
  /** Null for the draft. */
  versionId: string | null;
  version: number | null;
  config: AgentConfig;
}

const key = (callSid: string) => `test-call-target:${callSid}`;

/** Placed before the test call is dialled; read by the voice webhook when that call arrives. */
export async function setTestCallTarget(
  store: EphemeralStore,
  callSid: string,
  target: TestCallTarget,
  ttlMs = 60_000,
): Promise<void> {
  await store.set(key(callSid), JSON.stringify(target), { ttlMs });
}

/**
 * Resolves a dialled number like `resolveNumber`, except for a test call: when the test runner set
 * a target for this CallSid and the number answers that agent, the call runs the target's
 * configuration (the draft or another version), even when the agent has no published version yet.
 */
export async function resolveCallTarget(
  deps: Deps,
  e164: string,
  callSid: string,
): Promise<NumberResolution> {
  const resolution = await resolveNumber(deps, e164);
  const raw = callSid ? await deps.store.get(key(callSid)) : null;
  if (!raw) return resolution;
  const target = JSON.parse(raw) as TestCallTarget;
  const liveVersion = { id: target.versionId, version: target.version, config: target.config };
  if (resolution.ok) {
    return resolution.agent.id === target.agentId
      ? { ...resolution, liveVersion, testCall: true }
      : resolution;
  }
  if (resolution.reason !== 'no_published_version') return resolution;
  const p = tables.phoneNumbers;
  const a = tables.agents;
  const [agent] = await withTenant(deps.db, resolution.tenant.id, (tx) =>
    tx
      .select({ id: a.id, name: a.name })
      .from(p)
      .innerJoin(a, eq(a.id, p.agentId))
      .where(and(eq(p.id, resolution.phoneNumberId), eq(p.agentId, target.agentId))),
  );
  if (!agent) return resolution;
  return {
    ok: true,
    phoneNumberId: resolution.phoneNumberId,
    tenant: resolution.tenant,
    agent,
    liveVersion,
    testCall: true,
  };
}
