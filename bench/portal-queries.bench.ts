import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql as sqlTag } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { pino } from 'pino';
import {
  encodeCallCursor,
  findSeedTenant,
  getCallDetail,
  getTenantKpis,
  listCalls,
  refreshDailyKpis,
  refreshSeededKpis,
  seedCalls,
} from '../src/analytics/index.js';
import { seedDemo } from '../src/control/seed-demo.js';
import { type AppDb, MIGRATIONS_DIR, openDatabase, rawQuery, withTenant } from '../src/db/index.js';
import * as schema from '../src/db/schema/index.js';
import type { Deps } from '../src/deps/index.js';
import { SecretBox } from '../src/lib/secrets.js';
import { MemoryStore } from '../src/store/index.js';
import type { BenchContext } from './support/figures.js';

/**
 * The portal's queries on a tenant with 1,000,000 calls (PostgreSQL only). The calls are seeded once
 * into BENCH_PORTAL_DB (default sb_bench_portal) and reused while this checkout's migrations extend
 * the ones it was seeded with (newer ones are applied and the rollups rebuilt).
 * Each query runs through the domain function (tenant scope, row-level security, Drizzle) and
 * as plain SQL: the very statements the domain function sent (captured once through Drizzle's query
 * logger), replayed on one connection with no transaction, scope or role. Interleaved; p50/p95 and
 * the p95 ratio.
 */
const CALLS = Number(process.env.BENCH_PORTAL_CALLS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WARMUP = 10;
const DB_NAME = process.env.BENCH_PORTAL_DB ?? 'sb_bench_portal';
const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY_MS = 86_400_000;

const sqlCount = sqlTag`select count(*)::int as n from drizzle.__drizzle_migrations`;

const urlFor = (name: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The migration set of this checkout, as drizzle records it (created_at = the journal's `when`). */
function journalWhens(): number[] {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
    entries: Array<{ when: number }>;
  };
  return journal.entries.map((e) => e.when).sort((a, b) => a - b);
}

/** Whether the database holds the seed, under a prefix of this checkout's migrations. */
async function seededAlready(admin: pg.Client): Promise<boolean> {
  const exists = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
  if (exists.rowCount === 0) return false;
  const client = new pg.Client({ connectionString: urlFor(DB_NAME) });
  await client.connect();
  try {
    const applied = await client.query<{ created_at: string }>(
      'select created_at from drizzle.__drizzle_migrations order by created_at',
    );
    const marker = await client.query<{ calls: number }>('select calls from bench_portal_seed');
    const ours = journalWhens();
    return applied.rows.every((r, i) => Number(r.created_at) === ours[i]) && marker.rows[0]?.calls === CALLS;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

/** Applies this checkout's newer migrations to a reused seed and rebuilds its rollups if any ran. */
async function migrateForward(): Promise<void> {
  const database = await openDatabase({ kind: 'postgres', url: urlFor(DB_NAME), maxConnections: 1 });
  try {
    const count = async () => (await rawQuery<{ n: number }>(database.db, sqlCount)).rows[0]!.n;
    const before = await count();
    await database.migrate();
    if ((await count()) === before) return;
    console.log('newer migrations applied; rebuilding the daily KPIs');
    const deps = benchDeps(database.db);
    const tenantId = (await findSeedTenant(deps, 'acme-dental'))!;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    await withTenant(deps.db, tenantId, (tx) =>
      refreshDailyKpis(tx, tenantId, day(Date.now() - 400 * DAY_MS), day(Date.now() + DAY_MS)),
    );
  } finally {
    await database.close();
  }
}

async function seed(admin: pg.Client): Promise<void> {
  await admin.query(`drop database if exists "${DB_NAME}" with (force)`);
  await admin.query(`create database "${DB_NAME}"`);
  // Bulk load without foreign-key triggers (the generator only writes rows that reference each other).
  await admin.query(`alter database "${DB_NAME}" set session_replication_role = replica`);
  const database = await openDatabase({ kind: 'postgres', url: urlFor(DB_NAME), maxConnections: 2 });
  const client = new pg.Client({ connectionString: urlFor(DB_NAME) });
  await client.connect();
  try {
    await database.migrate();
    const deps = benchDeps(database.db);
    await seedDemo(deps);
    const tenantId = (await findSeedTenant(deps, 'acme-dental'))!;
    // Bulk load: secondary indexes are dropped and built once after the rows are in.
    const secondary = await client.query<{ indexname: string; indexdef: string }>(
      `select i.indexname, i.indexdef from pg_indexes i
       where i.schemaname = 'public'
         and i.tablename in ('calls', 'utterances', 'tool_executions', 'tool_execution_attempts', 'call_costs')
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    );
    for (const index of secondary.rows) await client.query(`drop index "${index.indexname}"`);
    const started = performance.now();
    // Two loaders side by side (one connection each), so PostgreSQL works on both cores; the KPI
    // rollups are rebuilt once, over everything, at the end.
    const until = Date.now();
    const loaders = 2;
    const done = Array.from({ length: loaders }, () => 0);
    let lastPrint = 0;
    const parts = await Promise.all(
      done.map((_, i) =>
        seedCalls(deps, {
          tenantId,
          calls: CALLS / loaders,
          batchSize: 10_000,
          until: new Date(until),
          seed: 12 + i,
          refreshKpis: false,
          onProgress: (written) => {
            done[i] = written;
            const total = done.reduce((a, b) => a + b, 0);
            if (total - lastPrint >= CALLS / 10 || total === CALLS) {
              lastPrint = total;
              const s = (performance.now() - started) / 1000;
              console.log(`  seeded ${total}/${CALLS} calls (${s.toFixed(0)} s)`);
            }
          },
        }),
      ),
    );
    await refreshSeededKpis(deps, tenantId, until);
    const result = parts.reduce((sum, part) => ({
      calls: sum.calls + part.calls,
      utterances: sum.utterances + part.utterances,
      toolExecutions: sum.toolExecutions + part.toolExecutions,
      attempts: sum.attempts + part.attempts,
      costs: sum.costs + part.costs,
    }));
    const loaded = performance.now();
    await client.query(`alter database "${DB_NAME}" reset session_replication_role`);
    for (const index of secondary.rows) await client.query(index.indexdef);
    const indexed = performance.now();
    await client.query('vacuum analyze');
    await client.query('create table bench_portal_seed (calls integer not null)');
    await client.query('insert into bench_portal_seed values ($1)', [CALLS]);
    console.log(
      `seed: ${result.calls} calls, ${result.utterances} turns, ${result.toolExecutions} tool executions, ` +
        `${result.attempts} attempts, ${result.costs} cost lines; load ${((loaded - started) / 1000).toFixed(0)} s, ` +
        `indexes ${((indexed - loaded) / 1000).toFixed(0)} s, vacuum analyze ${((performance.now() - indexed) / 1000).toFixed(0)} s`,
    );
  } finally {
    await client.end();
    await database.close();
  }
}

function benchDeps(db: Deps['db']): Deps {
  return {
    db,
    store: new MemoryStore(),
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    crossTenantLog: () => {},
    secrets: SecretBox.fromKey(randomBytes(32)),
  };
}

interface Statement {
  text: string;
  params: unknown[];
}

/**
 * Records the statements a domain function sends, leaving out the transaction and tenant-scope
 * statements around them: it runs the function on a Drizzle handle of its own with a query logger
 * (a handle `openDatabase` did not make, so tenant reads take the `withTenant` path, which sends the
 * same statements inside BEGIN … COMMIT).
 */
function statementRecorder(url: string): {
  pool: pg.Pool;
  capture: (fn: (deps: Deps) => Promise<unknown>) => Promise<Statement[]>;
} {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let recording: Statement[] | undefined;
  const db = drizzle(pool, {
    schema,
    logger: {
      logQuery: (text, params) => {
        if (
          !recording ||
          /^\s*(begin|commit|rollback)\b/i.test(text) ||
          text.includes("set_config('app.tenant_id'")
        ) {
          return;
        }
        recording.push({ text, params });
      },
    },
  }) as unknown as AppDb;
  const deps = benchDeps(db);
  return {
    pool,
    capture: async (fn) => {
      recording = [];
      try {
        await fn(deps);
        return recording;
      } finally {
        recording = undefined;
      }
    },
  };
}

export const backends = ['services'] as const;

export default async function portalQueriesBench(ctx?: BenchContext): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    console.log(
      `skipped: PostgreSQL unreachable at ${ADMIN_URL} (${err instanceof Error ? err.message : err})`,
    );
    return;
  }
  try {
    if (await seededAlready(admin)) {
      console.log(`reusing ${DB_NAME} (${CALLS} calls)`);
      await migrateForward();
    } else {
      console.log(`seeding ${CALLS} calls into ${DB_NAME} (once; reused by later runs)`);
      await seed(admin);
    }
  } finally {
    await admin.end();
  }

  const recorder = statementRecorder(urlFor(DB_NAME));
  // The application's own handle: tenant reads go through its session-scoped read pool.
  const database = await openDatabase({ kind: 'postgres', url: urlFor(DB_NAME), maxConnections: 1 });
  const plain = new pg.Client({ connectionString: urlFor(DB_NAME) });
  await plain.connect();
  const deps = benchDeps(database.db);
  try {
    const tenantId = (await findSeedTenant(deps, 'acme-dental'))!;
    const deep = await plain.query<{ cursor_at: string; id: string }>(
      `select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at, id
       from calls where tenant_id = $1 order by started_at desc, id desc offset $2 limit 1`,
      [tenantId, Math.floor(CALLS * 0.9)],
    );
    const deepCursor = { startedAt: deep.rows[0]!.cursor_at, id: deep.rows[0]!.id };
    const from = new Date(Date.now() - 30 * DAY_MS);
    const someCall = (
      await plain.query<{ id: string }>(
        `select c.id from calls c join tool_executions t on t.call_id = c.id where c.tenant_id = $1 limit 1`,
        [tenantId],
      )
    ).rows[0]!.id;

    const cases: Array<{ name: string; figure: string; domain: (deps: Deps) => Promise<unknown> }> = [
      {
        name: 'call list, first page',
        figure: 'portal_list_first_page',
        domain: (deps) => listCalls(deps, tenantId, { limit: 50 }),
      },
      {
        name: `call list, page ${Math.floor(CALLS * 0.9)} rows deep (cursor)`,
        figure: 'portal_list_deep_page',
        domain: (deps) => listCalls(deps, tenantId, { limit: 50, cursor: encodeCallCursor(deepCursor) }),
      },
      {
        name: 'call list, filtered (failed, last 30 days)',
        figure: 'portal_list_filtered',
        domain: (deps) => listCalls(deps, tenantId, { limit: 50, status: 'failed', from }),
      },
      {
        name: 'transcript search ("toothache")',
        figure: 'portal_transcript_search',
        domain: (deps) => listCalls(deps, tenantId, { limit: 50, q: 'toothache' }),
      },
      {
        name: 'call detail (everything about one call)',
        figure: 'portal_call_detail',
        domain: (deps) =>
          getCallDetail(deps, { tenantId, callId: someCall, view: 'internal', viewer: 'bench' }),
      },
      {
        name: '30-day KPIs with previous period (rollups)',
        figure: 'portal_kpis_30_days',
        domain: (deps) => getTenantKpis(deps, tenantId, {}),
      },
    ];

    console.log(`${ROUNDS} rounds each, interleaved; p50 / p95 in ms`);
    console.log(
      `${'query'.padEnd(52)} ${'domain p50/p95'.padStart(16)} ${'plain SQL p50/p95'.padStart(19)} ${'p95 ratio'.padStart(10)} statements`,
    );
    for (const c of cases) {
      const statements = await recorder.capture(c.domain);
      const domainCall = () => c.domain(deps);
      const sql = async () => {
        for (const s of statements) await plain.query(s.text, s.params);
      };
      for (let i = 0; i < WARMUP; i++) {
        await domainCall();
        await sql();
      }
      const domain: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        domain.push(await timed(domainCall));
        direct.push(await timed(sql));
      }
      domain.sort((a, b) => a - b);
      direct.sort((a, b) => a - b);
      const d = [percentile(domain, 50), percentile(domain, 95)];
      const s = [percentile(direct, 50), percentile(direct, 95)];
      ctx?.report({
        name: `${c.figure}_p95_ms`,
        value: d[1]!,
        unit: 'ms',
        baseline: s[1]!,
        baselineName: 'the same statements as plain SQL',
        note: `${CALLS} calls; p50 ${d[0]!.toFixed(2)} ms vs ${s[0]!.toFixed(2)} ms`,
      });
      console.log(
        `${c.name.padEnd(52)} ${`${d[0]!.toFixed(2)} / ${d[1]!.toFixed(2)}`.padStart(16)} ${`${s[0]!.toFixed(2)} / ${s[1]!.toFixed(2)}`.padStart(19)} ${`${(d[1]! / s[1]!).toFixed(2)}x`.padStart(10)} ${String(statements.length).padStart(10)}`,
      );
    }
  } finally {
    await plain.end();
    await recorder.pool.end();
    await database.close();
  }
}
