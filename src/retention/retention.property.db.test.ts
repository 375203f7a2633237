import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTenant } from '../control/tenants/index.js';
import { tables, withAllTenants } from '../db/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { FilesystemBlobStore } from '../storage/index.js';
import {
  placeLegalHold,
  releaseLegalHold,
  retentionLock,
  runRetention,
  setRetentionPolicy,
} from './index.js';
import {
  blobKeysOnDisk,
  type CallState,
  callStates,
  dropTenants,
  seedCalls,
  useBackendWithScratchDir,
} from './retention.test-support.js';

const DAY = 86_400_000;
const T0 = new Date('2026-06-01T00:00:00Z');
const admin = { kind: 'user' as const, id: 'usr_00000000000000000000000000' };

const env = useBackendWithScratchDir('retention-prop-');

const callArb = fc.record({
  tenant: fc.integer({ min: 0, max: 1 }),
  endedDaysAgo: fc.integer({ min: 0, max: 24 * 60 }).map((h) => h / 24),
  status: fc.constantFrom('completed', 'completed', 'failed', 'in_progress') as fc.Arbitrary<
    'completed' | 'failed' | 'in_progress'
  >,
  held: fc.boolean(),
  utterances: fc.integer({ min: 0, max: 3 }),
  events: fc.integer({ min: 0, max: 2 }),
  toolExecutions: fc.integer({ min: 0, max: 2 }),
  recordingBytes: fc.constantFrom(0, 16, 64),
});
const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('run' as const), advanceDays: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('toggleHold' as const), call: fc.nat() }),
  fc.record({
    kind: fc.constant('policy' as const),
    tenant: fc.integer({ min: 0, max: 1 }),
    days: fc.integer({ min: 1, max: 45 }),
  }),
);
const scenarioArb = fc.record({
  policies: fc.tuple(fc.integer({ min: 1, max: 45 }), fc.integer({ min: 1, max: 45 })),
  calls: fc.array(callArb, { minLength: 1, maxLength: 6 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
});

/** What the content of a call looks like untouched vs cleaned. */
function withoutContent(s: CallState): CallState {
  return {
    ...s,
    utterances: 0,
    events: 0,
    toolArgs: 0,
    attemptBodies: 0,
    recordings: 0,
    recordingKeys: [],
  };
}

describe('retention cleanup (property)', () => {
  it('cleans exactly the expired calls not on hold, audits each once, keeps blobs and rows in step, and is idempotent', async () => {
    const deps = env.backend.deps;
    const lock = retentionLock(env.backend.database.db, env.backend.database.kind);
    let iteration = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const blobDir = join(env.dir, `i${iteration++}`);
        const blobs = new FilesystemBlobStore(blobDir);
        const cleanAt = (now: number) =>
          runRetention(
            deps,
            { blobs, lock, batchSize: 2 },
            { trigger: 'cli', actor: SYSTEM_ACTOR, asOf: new Date(now) },
          );
        const tag = `${iteration}-${Math.random().toString(36).slice(2, 8)}`;
        const tenants = [
          (await createTenant(deps, SYSTEM_ACTOR, { name: `P ${tag}`, slug: `p-${tag}` })).id,
          (await createTenant(deps, SYSTEM_ACTOR, { name: `Q ${tag}`, slug: `q-${tag}` })).id,
        ];
        try {
          const policy = [...scenario.policies];
          for (const t of [0, 1]) {
            await setRetentionPolicy(deps, admin, tenants[t]!, { retentionDays: policy[t]! });
          }
          const ids = await seedCalls(
            deps,
            blobs,
            scenario.calls.map((c) => ({
              tenantId: tenants[c.tenant]!,
              endedAt: new Date(T0.getTime() - c.endedDaysAgo * DAY),
              status: c.status,
              legalHold: c.held,
              utterances: c.utterances,
              events: c.events,
              toolExecutions: c.toolExecutions,
              recordingBytes: c.recordingBytes,
            })),
          );
          const model = scenario.calls.map((c, i) => ({
            ...c,
            id: ids[i]!,
            endedAt: T0.getTime() - c.endedDaysAgo * DAY,
            cleaned: false,
          }));
          const original = await callStates(deps, ids);
          let now = T0.getTime();

          for (const step of scenario.steps) {
            if (step.kind === 'policy') {
              policy[step.tenant] = step.days;
              await setRetentionPolicy(deps, admin, tenants[step.tenant]!, { retentionDays: step.days });
              continue;
            }
            if (step.kind === 'toggleHold') {
              const call = model[step.call % model.length]!;
              const tenantId = tenants[call.tenant]!;
              if (call.held) await releaseLegalHold(deps, admin, tenantId, call.id, 'case closed');
              else await placeLegalHold(deps, admin, tenantId, call.id, 'litigation 42');
              call.held = !call.held;
              continue;
            }
            now += step.advanceDays * DAY;
            const expectNew = model.filter(
              (c) =>
                !c.cleaned &&
                !c.held &&
                c.status !== 'in_progress' &&
                c.endedAt <= now - policy[c.tenant]! * DAY,
            );
            const run = await cleanAt(now);
            expect(run.status).toBe('succeeded');
            expect(run.errors).toBe(0);
            for (const c of expectNew) c.cleaned = true;

            // Exactly the expired, non-held calls lost their content; nothing else changed.
            const states = await callStates(deps, ids);
            for (const c of model) {
              const before = original.get(c.id)!;
              const after = states.get(c.id)!;
              const expected = c.cleaned ? withoutContent(before) : before;
              expect({
                ...after,
                legalHold: false,
                contentDeletedAt: after.contentDeletedAt !== null,
              }).toEqual({
                ...expected,
                legalHold: false,
                contentDeletedAt: c.cleaned,
              });
              expect(after.legalHold).toBe(c.held);
            }
            // One audit row per call cleaned by this run, none for any other call.
            const audit = await withAllTenants(
              deps.db,
              { actor: 't', purpose: 't' },
              () => {},
              (tx) => tx.select().from(tables.deletionAudit).where(eq(tables.deletionAudit.runId, run.id)),
            );
            expect(audit.map((a) => a.callId).sort()).toEqual(expectNew.map((c) => c.id).sort());
            for (const a of audit) {
              const before = original.get(a.callId)!;
              expect(a.deleted).toEqual({
                utterances: before.utterances,
                events: before.events,
                toolBodies: before.toolArgs + before.attemptBodies,
                recordings: before.recordings,
                recordingBytes: model.find((c) => c.id === a.callId)!.recordingBytes,
              });
              expect(a.policyDays).toBe(policy[model.find((c) => c.id === a.callId)!.tenant]);
            }
            // Blob files and recording rows match exactly.
            const rowKeys = [...states.values()].flatMap((s) => s.recordingKeys).sort();
            expect(await blobKeysOnDisk(blobDir)).toEqual(rowKeys);

            // A second run at the same clock changes nothing.
            const again = await cleanAt(now);
            expect(again.callsCleaned).toBe(0);
            expect(await callStates(deps, ids)).toEqual(states);
            expect(await blobKeysOnDisk(blobDir)).toEqual(rowKeys);
          }
        } finally {
          await dropTenants(deps, tenants);
        }
      }),
      { numRuns: 12 },
    );
  });
});
