import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend } from '../../../test/support/backend.js';
import { insertRingingCall, openTenantBackend } from '../../../test/support/fixtures.js';
import { tables, withTenant } from '../../db/index.js';
import { followCall } from '../live-events.js';
import { DbCallRecorder } from '../recorder/db-call-recorder.js';
import { claimCall } from './claim-call.js';
import { reapStaleCalls } from './reap-stale-calls.js';

let backend: TestBackend;
let tenantId: string;

beforeAll(async () => {
  ({ backend, tenantId } = await openTenantBackend('Reaped'));
});
afterAll(() => backend?.close());

const ringingCall = async (startedAt: Date) =>
  (await insertRingingCall(backend.deps, tenantId, startedAt)).id;

const callRow = async (id: string) =>
  (
    await withTenant(backend.deps.db, tenantId, (tx) =>
      tx.select().from(tables.calls).where(eq(tables.calls.id, id)),
    )
  )[0]!;

describe('reapStaleCalls', () => {
  it('fails a call whose worker stopped beating, keeping what it persisted, and publishes the end', async () => {
    const id = await ringingCall(new Date());
    expect(await claimCall(backend.deps, { tenantId, id }, 'worker-a')).toMatchObject({
      status: 'in_progress',
    });
    expect(await claimCall(backend.deps, { tenantId, id }, 'worker-b')).toBeUndefined();
    const recorder = new DbCallRecorder(backend.deps, { id, tenantId }, { prices: {}, heartbeatMs: 60_000 });
    recorder.utterance({ speaker: 'caller', text: 'hello', startMs: 0, endMs: 500, interrupted: false });
    recorder.event('tool_called', { name: 'x' });
    // The worker dies here: no end is ever recorded, the heartbeat stops. What it reported is stored.
    await recorder.flushed();
    const events = await withTenant(backend.deps.db, tenantId, (tx) =>
      tx.select().from(tables.callEvents).where(eq(tables.callEvents.callId, id)),
    );
    expect(events).toHaveLength(1);
    const updates: string[] = [];
    let ended!: () => void;
    const endPublished = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const unsubscribe = await followCall(backend.store, id, (u) => {
      updates.push(`${u.type}:${u.data?.reason}`);
      if (u.type === 'call_ended') ended();
    });

    const early = await reapStaleCalls(backend.deps, { staleAfterMs: 30_000, ringingTimeoutMs: 60_000 });
    expect(early.map((r) => r.id)).not.toContain(id);

    const later = { ...backend.deps, now: () => new Date(Date.now() + 31_000) };
    const reaped = await reapStaleCalls(later, { staleAfterMs: 30_000, ringingTimeoutMs: 60_000 });
    expect(reaped).toContainEqual({ id, tenantId, reason: 'worker_lost' });
    expect(await callRow(id)).toMatchObject({ status: 'failed', endReason: 'worker_lost' });
    const kept = await withTenant(backend.deps.db, tenantId, async (tx) => ({
      utterances: await tx.select().from(tables.utterances).where(eq(tables.utterances.callId, id)),
      events: await tx.select().from(tables.callEvents).where(eq(tables.callEvents.callId, id)),
    }));
    expect(kept.utterances.map((u) => u.text)).toEqual(['hello']);
    expect(kept.events.map((e) => e.type)).toEqual(['tool_called', 'call_reaped']);
    await endPublished;
    expect(updates).toContain('call_ended:worker_lost');
    await unsubscribe();
  });

  it('gives up a call whose media never connected', async () => {
    const id = await ringingCall(new Date(Date.now() - 120_000));
    const reaped = await reapStaleCalls(backend.deps, { staleAfterMs: 30_000, ringingTimeoutMs: 60_000 });
    expect(reaped).toContainEqual({ id, tenantId, reason: 'no_media' });
    expect(await callRow(id)).toMatchObject({ status: 'failed', endReason: 'no_media' });
  });
});
