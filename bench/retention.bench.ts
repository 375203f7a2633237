import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { pino } from 'pino';
import { listCalls } from '../src/analytics/index.js';
import { createTenant } from '../src/control/tenants/index.js';
import { openDatabase } from '../src/db/index.js';
import type { Deps } from '../src/deps/index.js';
import { SYSTEM_ACTOR } from '../src/lib/actor.js';
import { SecretBox } from '../src/lib/secrets.js';
import { retentionLock, runRetention } from '../src/retention/index.js';
import { FilesystemBlobStore } from '../src/storage/index.js';
import { MemoryStore } from '../src/store/index.js';
import type { BenchContext } from './support/figures.js';

/**
 * Retention cleanup on PostgreSQL: BENCH_RETENTION_CALLS (100,000) expired calls, each with 2
 * utterances, 2 events, a tool execution with one attempt and a 1 KiB recording file, bulk-inserted
 * with generate_series into a dedicated database, beside 20,000 recent calls. Reports cleanup
 * throughput and the call list's p95 (first page of 50) with no cleanup running and while it runs.
 */
const EXPIRED = Number(process.env.BENCH_RETENTION_CALLS ?? 100_000);
const RECENT = 20_000;
const BASELINE_SAMPLES = 300;
export const backends = ['services'] as const;

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? Number.NaN;
}

export default async function retentionBench(bench: BenchContext): Promise<void> {
  const ADMIN_URL = bench.services.pgAdminUrl;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    console.log(`retention: skipped, PostgreSQL unreachable at ${ADMIN_URL} (${(err as Error).message})`);
    return;
  }
  const name = `sb_bench_retention_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 10 });
  const blobDir = await mkdtemp(join(tmpdir(), 'retention-bench-'));
  try {
    await database.migrate();
    const deps: Deps = {
      db: database.db,
      store: new MemoryStore(),
      log: pino({ level: 'silent' }),
      now: () => new Date(),
      crossTenantLog: () => {},
      secrets: SecretBox.fromKey(randomBytes(32)),
    };
    const tenantId = (await createTenant(deps, SYSTEM_ACTOR, { name: 'Bench', slug: 'bench' })).id;

    let started = performance.now();
    const t = sql`${tenantId}`;
    const cid = sql.raw(`'call_b' || lpad(g::text, 25, '0')`);
    const statements = [
      sql`insert into calls (id, tenant_id, status, started_at, ended_at, duration_ms)
          select ${cid}, ${t}, 'completed', now() - interval '60 days' - g * interval '1 second',
            now() - interval '60 days' - g * interval '1 second' + interval '1 minute', 60000
          from generate_series(1, ${EXPIRED}) g`,
      sql`insert into calls (id, tenant_id, status, started_at, ended_at, duration_ms)
          select 'call_r' || lpad(g::text, 25, '0'), ${t}, 'completed', now() - g * interval '1 second',
            now() - g * interval '1 second' + interval '1 minute', 60000
          from generate_series(1, ${RECENT}) g`,
      sql`insert into utterances (tenant_id, call_id, seq, speaker, text, start_ms, end_ms)
          select ${t}, ${cid}, s, case when s = 0 then 'caller' else 'agent' end, 'I would like a table for two', s * 1000, s * 1000 + 900
          from generate_series(1, ${EXPIRED}) g, generate_series(0, 1) s`,
      sql`insert into call_events (tenant_id, call_id, type, data)
          select ${t}, ${cid}, 'turn', jsonb_build_object('turn', s)
          from generate_series(1, ${EXPIRED}) g, generate_series(0, 1) s`,
      sql`insert into tool_executions (id, tenant_id, tool_name, call_id, status, idempotency_key, arguments, result)
          select 'tex_b' || lpad(g::text, 25, '0'), ${t}, 'book', ${cid}, 'succeeded', 'k' || g,
            '{"name":"Ada"}'::jsonb, '{"booked":true}'::jsonb
          from generate_series(1, ${EXPIRED}) g`,
      sql`insert into tool_execution_attempts (tenant_id, execution_id, attempt, outcome, duration_ms, request, response, started_at)
          select ${t}, 'tex_b' || lpad(g::text, 25, '0'), 1, 'succeeded', 5, '{"b":1}'::jsonb, '{"b":2}'::jsonb, now()
          from generate_series(1, ${EXPIRED}) g`,
      sql`insert into recordings (id, tenant_id, call_id, storage_key, content_type, channels, sample_rate, duration_ms, size_bytes)
          select 'rec_b' || lpad(g::text, 25, '0'), ${t}, ${cid}, 'recordings/b/' || ${cid} || '.wav', 'audio/wav', 2, 8000, 60000, 1024
          from generate_series(1, ${EXPIRED}) g`,
      sql`analyze`,
    ];
    for (const statement of statements) await database.db.execute(statement);
    await mkdir(join(blobDir, 'recordings', 'b'), { recursive: true });
    const body = randomBytes(1024);
    for (let i = 1; i <= EXPIRED; i += 256) {
      await Promise.all(
        Array.from({ length: Math.min(256, EXPIRED - i + 1) }, (_, k) =>
          writeFile(join(blobDir, 'recordings', 'b', `call_b${String(i + k).padStart(25, '0')}.wav`), body),
        ),
      );
    }
    console.log(
      `seeded ${EXPIRED} expired + ${RECENT} recent calls with content in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const listOnce = async () => {
      const t0 = performance.now();
      await listCalls(deps, tenantId, { limit: 50 });
      return performance.now() - t0;
    };
    for (let i = 0; i < 20; i++) await listOnce();
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE_SAMPLES; i++) baseline.push(await listOnce());

    const blobs = new FilesystemBlobStore(blobDir);
    let done = false;
    started = performance.now();
    const cleanup = runRetention(
      deps,
      { blobs, lock: retentionLock(database.db, 'postgres') },
      { trigger: 'cli', actor: SYSTEM_ACTOR },
    ).finally(() => {
      done = true;
    });
    const during: number[] = [];
    while (!done) during.push(await listOnce());
    const run = await cleanup;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `cleanup: ${run.callsCleaned} calls in ${seconds.toFixed(1)} s = ${(run.callsCleaned / seconds).toFixed(0)} calls/s (batches of 500, ${run.errors} errors)`,
    );
    console.log(
      `call list p95 (first page of 50): ${p95(baseline).toFixed(2)} ms idle (${baseline.length} samples), ${p95(during).toFixed(2)} ms during cleanup (${during.length} samples)`,
    );
    bench.report({
      name: 'retention_cleanup_calls_per_s',
      value: run.callsCleaned / seconds,
      unit: 'calls/s',
      note: `${run.callsCleaned} expired calls with content, batches of 500`,
    });
    bench.report({
      name: 'retention_call_list_p95_ms',
      value: p95(during),
      unit: 'ms',
      baseline: p95(baseline),
      baselineName: 'idle',
    });
  } finally {
    await database.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
    await rm(blobDir, { recursive: true, force: true });
  }
}
