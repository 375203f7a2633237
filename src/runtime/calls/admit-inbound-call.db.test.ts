import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend } from '../../../test/support/backend.js';
import { openTenantBackend } from '../../../test/support/fixtures.js';
import { createAgent, publishAgentVersion } from '../../control/agents/index.js';
import { resolveNumber } from '../../control/index.js';
import { registerNumber } from '../../control/phone-numbers/index.js';
import type { Deps } from '../../deps/index.js';
import { SYSTEM_ACTOR } from '../../lib/actor.js';
import { admitInboundCall, tenantCallSlots } from './admit-inbound-call.js';

let backend: TestBackend;
let tenantId: string;
const e164 = `+1500555${String(Date.now()).slice(-4)}`;

beforeAll(async () => {
  ({ backend, tenantId } = await openTenantBackend('Admitting'));
  const agent = await createAgent(backend.deps, SYSTEM_ACTOR, tenantId, {
    name: 'Front desk',
    draft: { systemPrompt: 'You answer the phone.' },
  });
  await publishAgentVersion(backend.deps, SYSTEM_ACTOR, tenantId, agent.id);
  await registerNumber(backend.deps, SYSTEM_ACTOR, tenantId, { e164, label: 'Main', agentId: agent.id });
});
afterAll(async () => {
  await backend?.close();
});

/** Deps whose cross-tenant reads (each its own transaction on the webhook's path) are listed. */
function watchedDeps(): { deps: Deps; crossTenantReads: string[] } {
  const crossTenantReads: string[] = [];
  return {
    deps: { ...backend.deps, crossTenantLog: (access) => crossTenantReads.push(access.purpose) },
    crossTenantReads,
  };
}

describe('admitInboundCall', () => {
  it('admits a new call reading across tenants only to resolve its number (no lookup by CallSid first)', async () => {
    const { deps, crossTenantReads } = watchedDeps();
    const callSid = `CA${Date.now()}new`;
    const admission = await admitInboundCall(
      deps,
      { callSid, from: '+14155550100', to: e164, transport: 'twilio_media_streams' },
      (to) => resolveNumber(deps, to),
    );
    expect(admission).toMatchObject({ kind: 'connect', call: { twilioCallSid: callSid, status: 'ringing' } });
    expect(crossTenantReads).toEqual(['phone_number.resolve']);
  });

  it('answers a retried webhook with the call it admitted, holding one slot for it', async () => {
    const { deps } = watchedDeps();
    const callSid = `CA${Date.now()}retry`;
    const inbound = { callSid, from: '+14155550100', to: e164, transport: 'twilio_media_streams' as const };
    const slotsBefore = await deps.store.slotCount(tenantCallSlots(tenantId));
    const first = await admitInboundCall(deps, inbound, (to) => resolveNumber(deps, to));
    const retry = await admitInboundCall(deps, inbound, (to) => resolveNumber(deps, to));
    expect(first.kind).toBe('connect');
    expect(retry).toMatchObject({ kind: 'existing', call: { id: first.call!.id, status: 'ringing' } });
    expect(await deps.store.slotCount(tenantCallSlots(tenantId))).toBe(slotsBefore + 1);
  });
});
