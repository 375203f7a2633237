import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { createTenant } from '../control/tenants/index.js';
import { tables, withTenant } from '../db/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { newId } from '../lib/ids.js';
import { recomputeKpis } from './daily-kpis.js';
import { getTenantKpis } from './kpis.js';

let backend: TestBackend;
// The machine may be busy: migrating a fresh database can take long.
beforeAll(async () => {
  backend = await openTestBackend();
}, 300_000);
afterAll(async () => {
  await backend?.close();
});

// US daylight saving time starts 2026-03-08 02:00 local: that day has 23 hours in New York.
const WINDOW_START = Date.parse('2026-03-06T00:00:00Z');
const WINDOW_MS = 5 * 86_400_000;
const TZ = 'America/New_York';

const arbCall = fc.record({
  offsetMs: fc.integer({ min: 0, max: WINDOW_MS - 1 }),
  status: fc.constantFrom('completed', 'failed', 'rejected') as fc.Arbitrary<
    'completed' | 'failed' | 'rejected'
  >,
  answered: fc.boolean(),
  withAgent: fc.boolean(),
  durationMs: fc.integer({ min: 0, max: 600_000 }),
  outcome: fc.constantFrom(null, 'booked', 'no_show'),
  toolCalls: fc.integer({ min: 0, max: 4 }),
  toolSuccessShare: fc.integer({ min: 0, max: 4 }),
  latencyCount: fc.integer({ min: 0, max: 5 }),
  latencySumMs: fc.integer({ min: 0, max: 10_000 }),
  costMicros: fc.integer({ min: 0, max: 5_000_000 }),
});
type GenCall = typeof arbCall extends fc.Arbitrary<infer T> ? T : never;

const dayIn = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));

interface Agg {
  calls: number;
  answeredCalls: number;
  completedCalls: number;
  failedCalls: number;
  containedCalls: number;
  totalDurationMs: number;
  toolCalls: number;
  toolSuccesses: number;
  turnLatencyCount: number;
  turnLatencySumMs: number;
  costMicros: number;
  outcomes: Record<string, number>;
  durationSeconds: Record<string, number>;
}

/** The KPIs straight from the generated calls: what the rollup must equal. */
function directAggregate(calls: GenCall[], agentId: string) {
  const rows = new Map<string, Agg>();
  for (const c of calls) {
    const key = `${c.withAgent ? agentId : ''}|${dayIn(WINDOW_START + c.offsetMs)}`;
    const r: Agg = rows.get(key) ?? {
      calls: 0,
      answeredCalls: 0,
      completedCalls: 0,
      failedCalls: 0,
      containedCalls: 0,
      totalDurationMs: 0,
      toolCalls: 0,
      toolSuccesses: 0,
      turnLatencyCount: 0,
      turnLatencySumMs: 0,
      costMicros: 0,
      outcomes: {},
      durationSeconds: {},
    };
    r.calls++;
    if (c.answered) r.answeredCalls++;
    if (c.status === 'completed') r.completedCalls++;
    if (c.status === 'failed') r.failedCalls++;
    if (c.status === 'completed' && c.answered) r.containedCalls++;
    r.totalDurationMs += c.durationMs;
    r.toolCalls += c.toolCalls;
    r.toolSuccesses += Math.min(c.toolCalls, c.toolSuccessShare);
    r.turnLatencyCount += c.latencyCount;
    r.turnLatencySumMs += c.latencySumMs;
    r.costMicros += c.costMicros;
    if (c.outcome) r.outcomes[c.outcome] = (r.outcomes[c.outcome] ?? 0) + 1;
    const second = String(Math.floor(c.durationMs / 1000));
    r.durationSeconds[second] = (r.durationSeconds[second] ?? 0) + 1;
    rows.set(key, r);
  }
  return Object.fromEntries([...rows].map(([k, v]) => [k, v]));
}

async function rollups(tenantId: string) {
  const rows = await withTenant(backend.deps.db, tenantId, (tx) =>
    tx.select().from(tables.dailyKpis).where(eq(tables.dailyKpis.tenantId, tenantId)),
  );
  return Object.fromEntries(
    rows.map((r) => [
      `${r.agentId}|${r.day}`,
      {
        calls: r.calls,
        answeredCalls: r.answeredCalls,
        completedCalls: r.completedCalls,
        failedCalls: r.failedCalls,
        containedCalls: r.containedCalls,
        totalDurationMs: Number(r.totalDurationMs),
        toolCalls: r.toolCalls,
        toolSuccesses: r.toolSuccesses,
        turnLatencyCount: r.turnLatencyCount,
        turnLatencySumMs: Number(r.turnLatencySumMs),
        costMicros: Math.round(Number(r.costUsd) * 1e6),
        outcomes: r.outcomes,
        durationSeconds: r.durationSeconds,
      },
    ]),
  );
}

describe('daily KPI rollups', () => {
  it('equal a direct aggregate over calls (days in the tenant time zone, across DST), and survive retention', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbCall, { minLength: 1, maxLength: 25 }), async (generated) => {
        const tenant = await createTenant(backend.deps, SYSTEM_ACTOR, {
          name: 'KPI',
          slug: `kpi-${newId('call').slice(-10).toLowerCase()}`,
        });
        const tenantId = tenant.id;
        const agentId = newId('agent');
        const ids = generated.map(() => newId('call'));
        await withTenant(backend.deps.db, tenantId, async (tx) => {
          await tx.update(tables.tenants).set({ timezone: TZ }).where(eq(tables.tenants.id, tenantId));
          await tx.insert(tables.agents).values({ id: agentId, tenantId, name: 'A', draft: {} });
          await tx.insert(tables.calls).values(
            generated.map((c, i) => {
              const startedAt = new Date(WINDOW_START + c.offsetMs);
              return {
                id: ids[i]!,
                tenantId,
                agentId: c.withAgent ? agentId : null,
                status: c.status,
                outcome: c.outcome,
                startedAt,
                answeredAt: c.answered ? startedAt : null,
                endedAt: new Date(startedAt.getTime() + c.durationMs),
                durationMs: c.durationMs,
              };
            }),
          );
          await tx.insert(tables.callMetrics).values(
            generated.map((c, i) => ({
              callId: ids[i]!,
              tenantId,
              toolCalls: c.toolCalls,
              toolSuccesses: Math.min(c.toolCalls, c.toolSuccessShare),
              turnLatencyCount: c.latencyCount,
              turnLatencySumMs: c.latencySumMs,
              costUsd: (c.costMicros / 1e6).toFixed(6),
            })),
          );
          // Content that retention deletes later: the rollups must not depend on it.
          await tx.insert(tables.utterances).values(
            ids.map((callId) => ({
              tenantId,
              callId,
              seq: 1,
              speaker: 'caller' as const,
              text: 'hi',
              startMs: 0,
              endMs: 100,
            })),
          );
          await tx.insert(tables.callEvents).values(ids.map((callId) => ({ tenantId, callId, type: 'x' })));
        });
        const range = { from: '2026-03-05', to: '2026-03-11', tenantId };
        const access = { actor: 'test', purpose: 'kpi property' };
        await recomputeKpis(backend.deps, access, range);
        const expected = directAggregate(generated, agentId);
        expect(await rollups(tenantId)).toEqual(expected);

        // The period's average and p95 duration (to the second), merged from the daily rollups.
        const kpis = await getTenantKpis(backend.deps, tenantId, { from: range.from, to: range.to });
        const durations = generated.map((c) => c.durationMs).sort((a, b) => a - b);
        const total = durations.reduce((a, b) => a + b, 0);
        expect(kpis.totals.avgDurationMs).toBe(Math.round(total / durations.length));
        const p95 = durations[Math.ceil(0.95 * durations.length) - 1]!;
        expect(kpis.totals.p95DurationMs).toBe(Math.floor(p95 / 1000) * 1000);

        // Replaying (recomputing again) does not double count.
        await recomputeKpis(backend.deps, access, range);
        expect(await rollups(tenantId)).toEqual(expected);

        // Retention deletes utterances, events and recordings and marks the calls; metrics stay.
        await withTenant(backend.deps.db, tenantId, async (tx) => {
          await tx.delete(tables.utterances).where(inArray(tables.utterances.callId, ids));
          await tx.delete(tables.callEvents).where(inArray(tables.callEvents.callId, ids));
          await tx.delete(tables.recordings).where(inArray(tables.recordings.callId, ids));
          await tx
            .update(tables.calls)
            .set({ contentDeletedAt: new Date() })
            .where(inArray(tables.calls.id, ids));
        });
        await recomputeKpis(backend.deps, access, { ...range, metrics: true });
        expect(await rollups(tenantId)).toEqual(expected);
      }),
      { numRuns: 8 },
    );
  }, 300_000);
});
