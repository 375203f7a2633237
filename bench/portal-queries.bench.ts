import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, inArray, sql as sqlTag } from 'drizzle-orm';
import pg from 'pg';
import { pino } from 'pino';
import { encodeCallCursor, findSeedTenant, listCalls, seedCalls } from '../src/analytics/index.js';
import { seedDemo } from '../src/control/seed-demo.js';
import { MIGRATIONS_DIR, openDatabase, tables, withTenant } from '../src/db/index.js';
import type { Deps } from '../src/lib/deps.js';
import { SecretBox } from '../src/lib/secrets.js';
import { MemoryStore } from '../src/store/index.js';

/**
 * The portal's queries on a tenant with 1,000,000 calls (PostgreSQL only). The calls are seeded once
 * into BENCH_PORTAL_DB (default sb_bench_portal) and reused while its migrations match this checkout.
 * Each query runs through the domain function (transaction, tenant scope, row-level security) and
 * as the same SQL sent directly on one connection, interleaved, and reports p50/p95 and the ratio.
 */
const CALLS = Number(process.env.BENCH_PORTAL_CALLS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const WARMUP = 10;
const DB_NAME = process.env.BENCH_PORTAL_DB ?? 'sb_bench_portal';
const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY_MS = 86_400_000;

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
    return (
      JSON.stringify(applied.rows.map((r) => Number(r.created_at))) === JSON.stringify(journalWhens()) &&
      marker.rows[0]?.calls === CALLS
    );
  } catch {
    return false;
  } finally {
    await client.end();
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
    let lastPrint = 0;
    const result = await seedCalls(deps, {
      tenantId,
      calls: CALLS,
      batchSize: 10_000,
      onProgress: (done, total) => {
        if (done - lastPrint >= total / 10 || done === total) {
          lastPrint = done;
          const s = (performance.now() - started) / 1000;
          console.log(`  seeded ${done}/${total} calls (${s.toFixed(0)} s)`);
        }
      },
    });
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

const LIST_SQL = `select c.id, c.tenant_id, c.agent_id, a.name, c.agent_version_id, c.from_number, c.to_number,
  c.transport, c.status, c.end_reason, c.outcome, c.legal_hold, c.started_at, c.ended_at, c.duration_ms,
  exists (select 1 from recordings r where r.call_id = c.id) as has_recording,
  to_char(c.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
  from calls c left join agents a on a.id = c.agent_id
  where c.tenant_id = $1 %WHERE%
  order by c.started_at desc, c.id desc limit 51`;
const listSql = (where = '') => LIST_SQL.replace('%WHERE%', where);

export default async function portalQueriesBench(): Promise<void> {
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
    if (await seededAlready(admin)) console.log(`reusing ${DB_NAME} (${CALLS} calls)`);
    else {
      console.log(`seeding ${CALLS} calls into ${DB_NAME} (once; reused by later runs)`);
      await seed(admin);
    }
  } finally {
    await admin.end();
  }

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

    const cases: Array<{ name: string; domain: () => Promise<unknown>; sql: () => Promise<unknown> }> = [
      {
        name: 'call list, first page',
        domain: () => listCalls(deps, tenantId, { limit: 50 }),
        sql: () => plain.query(listSql(), [tenantId]),
      },
      {
        name: `call list, page ${Math.floor(CALLS * 0.9)} rows deep (cursor)`,
        domain: () => listCalls(deps, tenantId, { limit: 50, cursor: encodeCallCursor(deepCursor) }),
        sql: () =>
          plain.query(listSql('and (c.started_at, c.id) < ($2::timestamptz, $3)'), [
            tenantId,
            deepCursor.startedAt,
            deepCursor.id,
          ]),
      },
      {
        name: 'call list, filtered (failed, last 30 days)',
        domain: () => listCalls(deps, tenantId, { limit: 50, status: 'failed', from }),
        sql: () => plain.query(listSql(`and c.status = 'failed' and c.started_at >= $2`), [tenantId, from]),
      },
      {
        name: 'transcript search ("toothache")',
        domain: () => listCalls(deps, tenantId, { limit: 50, q: 'toothache' }),
        sql: () =>
          plain.query(
            listSql(
              `and exists (select 1 from utterances u where u.call_id = c.id and u.search_tsv @@ websearch_to_tsquery('english', $2))`,
            ),
            [tenantId, 'toothache'],
          ),
      },
      {
        name: 'call detail (row, turns, tool executions + attempts)',
        domain: () =>
          withTenant(deps.db, tenantId, async (tx) => {
            const [call] = await tx.select().from(tables.calls).where(eq(tables.calls.id, someCall));
            const turns = await tx
              .select()
              .from(tables.utterances)
              .where(eq(tables.utterances.callId, someCall))
              .orderBy(asc(tables.utterances.seq));
            const executions = await tx
              .select()
              .from(tables.toolExecutions)
              .where(eq(tables.toolExecutions.callId, someCall));
            const attempts = executions.length
              ? await tx
                  .select()
                  .from(tables.toolExecutionAttempts)
                  .where(
                    and(
                      inArray(
                        tables.toolExecutionAttempts.executionId,
                        executions.map((e) => e.id),
                      ),
                    ),
                  )
              : [];
            return { call, turns, executions, attempts };
          }),
        sql: async () => {
          await plain.query('select * from calls where id = $1', [someCall]);
          await plain.query('select * from utterances where call_id = $1 order by seq', [someCall]);
          const ex = await plain.query<{ id: string }>('select * from tool_executions where call_id = $1', [
            someCall,
          ]);
          await plain.query('select * from tool_execution_attempts where execution_id = any($1)', [
            ex.rows.map((r) => r.id),
          ]);
        },
      },
      {
        name: '30-day KPIs (direct aggregate over calls)',
        domain: () =>
          withTenant(deps.db, tenantId, (tx) =>
            tx.execute(
              // The rollup (daily_kpis) is the portal's path; this is the direct aggregate it replaces.
              sqlKpi(tenantId, from),
            ),
          ),
        sql: () => plain.query(KPI_SQL, [tenantId, from]),
      },
    ];

    console.log(`${ROUNDS} rounds each, interleaved; p50 / p95 in ms`);
    console.log(
      `${'query'.padEnd(52)} ${'domain p50/p95'.padStart(16)} ${'plain SQL p50/p95'.padStart(19)} ${'p95 ratio'.padStart(10)}`,
    );
    for (const c of cases) {
      for (let i = 0; i < WARMUP; i++) {
        await c.domain();
        await c.sql();
      }
      const domain: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        domain.push(await timed(c.domain));
        direct.push(await timed(c.sql));
      }
      domain.sort((a, b) => a - b);
      direct.sort((a, b) => a - b);
      const d = [percentile(domain, 50), percentile(domain, 95)];
      const s = [percentile(direct, 50), percentile(direct, 95)];
      console.log(
        `${c.name.padEnd(52)} ${`${d[0]!.toFixed(2)} / ${d[1]!.toFixed(2)}`.padStart(16)} ${`${s[0]!.toFixed(2)} / ${s[1]!.toFixed(2)}`.padStart(19)} ${`${(d[1]! / s[1]!).toFixed(2)}x`.padStart(10)}`,
      );
    }
  } finally {
    await plain.end();
    await database.close();
  }
}

const KPI_SQL = `select count(*)::int as calls,
  count(*) filter (where status = 'completed')::int as completed,
  count(*) filter (where status = 'failed')::int as failed,
  avg(duration_ms)::int as avg_duration_ms,
  percentile_disc(0.95) within group (order by duration_ms) as p95_duration_ms
  from calls where tenant_id = $1 and started_at >= $2`;

function sqlKpi(tenantId: string, from: Date) {
  return sqlTag`select count(*)::int as calls,
    count(*) filter (where status = 'completed')::int as completed,
    count(*) filter (where status = 'failed')::int as failed,
    avg(duration_ms)::int as avg_duration_ms,
    percentile_disc(0.95) within group (order by duration_ms) as p95_duration_ms
    from calls where tenant_id = ${tenantId} and started_at >= ${from}`;
}
