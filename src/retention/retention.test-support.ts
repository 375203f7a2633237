import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inArray, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { type Database, rawQuery, tables, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { newId } from '../lib/ids.js';
import { SecretBox } from '../lib/secrets.js';
import type { BlobStore } from '../storage/index.js';
import { MemoryStore } from '../store/index.js';

/**
 * Opens the test backend and a scratch directory before the file's tests, and closes and removes
 * them after; tests read both from the returned object.
 */
export function useBackendWithScratchDir(prefix: string): { backend: TestBackend; dir: string } {
  const env = {} as { backend: TestBackend; dir: string };
  beforeAll(async () => {
    env.backend = await openTestBackend();
    env.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await env.backend?.close();
    await rm(env.dir, { recursive: true, force: true });
  });
  return env;
}

/** Deps over a database opened outside the test backend: the crash test's shared one, in both processes. */
export function standaloneDeps(database: Database): Deps {
  return {
    db: database.db,
    store: new MemoryStore(),
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    crossTenantLog: () => {},
    secrets: SecretBox.fromKey(randomBytes(32)),
  };
}

export interface SeedCall {
  tenantId: string;
  endedAt: Date;
  status?: 'completed' | 'failed' | 'in_progress';
  legalHold?: boolean;
  utterances?: number;
  events?: number;
  toolExecutions?: number;
  recordingBytes?: number;
}

/** Inserts calls with content (utterances, events, tool bodies, costs, a recording blob); returns their ids. */
export async function seedCalls(
  deps: Pick<Deps, 'db'>,
  blobs: BlobStore,
  calls: SeedCall[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const c of calls) {
    const id = newId('call');
    ids.push(id);
    const startedAt = new Date(c.endedAt.getTime() - 60_000);
    const storageKey = `recordings/${c.tenantId}/${id}.wav`;
    if (c.recordingBytes) await blobs.put(storageKey, randomBytes(c.recordingBytes), 'audio/wav');
    await withTenant(deps.db, c.tenantId, async (tx) => {
      await tx.insert(tables.calls).values({
        id,
        tenantId: c.tenantId,
        status: c.status ?? 'completed',
        startedAt,
        endedAt: c.status === 'in_progress' ? null : c.endedAt,
        durationMs: 60_000,
        legalHold: c.legalHold ?? false,
      });
      for (let i = 0; i < (c.utterances ?? 0); i++) {
        await tx.insert(tables.utterances).values({
          tenantId: c.tenantId,
          callId: id,
          seq: i,
          speaker: i % 2 ? 'agent' : 'caller',
          text: `line ${i}`,
          startMs: i * 1000,
          endMs: i * 1000 + 900,
        });
      }
      for (let i = 0; i < (c.events ?? 0); i++) {
        await tx
          .insert(tables.callEvents)
          .values({ tenantId: c.tenantId, callId: id, type: 'turn', data: { i } });
      }
      for (let i = 0; i < (c.toolExecutions ?? 0); i++) {
        const executionId = newId('toolExecution');
        await tx.insert(tables.toolExecutions).values({
          id: executionId,
          tenantId: c.tenantId,
          toolName: 'book',
          callId: id,
          status: 'succeeded',
          idempotencyKey: `${executionId}-k`,
          arguments: { name: 'Ada' },
          result: { booked: true },
        });
        await tx.insert(tables.toolExecutionAttempts).values({
          tenantId: c.tenantId,
          executionId,
          attempt: 1,
          outcome: 'succeeded',
          durationMs: 5,
          request: { body: 'x' },
          response: { body: 'y' },
          startedAt,
        });
      }
      await tx.insert(tables.callCosts).values({
        tenantId: c.tenantId,
        callId: id,
        provider: 'openai',
        metric: 'tokens',
        quantity: '10',
        unitPriceUsd: '0.001',
        amountUsd: '0.01',
      });
      if (c.recordingBytes) {
        await tx.insert(tables.recordings).values({
          id: newId('recording'),
          tenantId: c.tenantId,
          callId: id,
          storageKey,
          contentType: 'audio/wav',
          channels: 2,
          sampleRate: 8000,
          durationMs: 60_000,
          sizeBytes: c.recordingBytes,
        });
      }
    });
  }
  return ids;
}

export interface CallState {
  id: string;
  status: string;
  legalHold: boolean;
  durationMs: number | null;
  contentDeletedAt: string | null;
  utterances: number;
  events: number;
  toolArgs: number;
  attemptBodies: number;
  toolExecutions: number;
  costs: number;
  recordings: number;
  recordingKeys: string[];
}

/** Everything retention may or may not touch, per call, read across tenants. */
export async function callStates(deps: Deps, callIds: string[]): Promise<Map<string, CallState>> {
  const rows = await withAllTenants(
    deps.db,
    { actor: 'test', purpose: 'test' },
    () => {},
    async (tx) => {
      if (callIds.length === 0) return [];
      const { rows } = await rawQuery<CallState>(
        tx,
        sql`select c.id, c.status, c.legal_hold as "legalHold", c.duration_ms as "durationMs",
            to_char(c.content_deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as "contentDeletedAt",
            (select count(*) from utterances u where u.call_id = c.id)::int as utterances,
            (select count(*) from call_events e where e.call_id = c.id)::int as events,
            (select count(*) from tool_executions x where x.call_id = c.id and (x.arguments is not null or x.result is not null))::int as "toolArgs",
            (select count(*) from tool_execution_attempts a join tool_executions x on x.id = a.execution_id
              where x.call_id = c.id and (a.request is not null or a.response is not null))::int as "attemptBodies",
            (select count(*) from tool_executions x where x.call_id = c.id)::int as "toolExecutions",
            (select count(*) from call_costs k where k.call_id = c.id)::int as costs,
            (select count(*) from recordings r where r.call_id = c.id)::int as recordings,
            coalesce((select array_agg(r.storage_key) from recordings r where r.call_id = c.id), '{}') as "recordingKeys"
          from calls c where c.id in (${sql.join(
            callIds.map((id) => sql`${id}`),
            sql`, `,
          )})`,
      );
      return rows;
    },
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Every file under a blob directory, as blob keys. */
export async function blobKeysOnDisk(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else out.push(relative(root, path));
    }
  };
  await walk(root);
  return out.sort();
}

/** Removes test tenants and everything they own. */
export async function dropTenants(deps: Deps, tenantIds: string[]): Promise<void> {
  await withAllTenants(
    deps.db,
    { actor: 'test', purpose: 'test cleanup' },
    () => {},
    (tx) => tx.delete(tables.tenants).where(inArray(tables.tenants.id, tenantIds)),
  );
}
