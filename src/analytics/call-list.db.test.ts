import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend } from '../../test/support/backend.js';
import { createTestTenant, openTenantBackend } from '../../test/support/fixtures.js';
import { rawQuery, tables, withTenant } from '../db/index.js';
import { csvCell } from '../lib/csv.js';
import { AppError } from '../lib/errors.js';
import { encodeCallCursor } from './call-cursor.js';
import { recomputeCallMetrics } from './call-metrics.js';
import { exportCallsCsv } from './export-calls-csv.js';
import { listCalls } from './list-calls.js';
import { seedCalls } from './seed-calls.js';

let backend: TestBackend;
let tenantId: string;
let otherTenantId: string;

beforeAll(async () => {
  ({ backend, tenantId } = await openTenantBackend('Seeded'));
  otherTenantId = await createTestTenant(backend.deps, 'Other');
}, 180_000); // migrating an embedded PGlite is slow on a busy 2-core machine
afterAll(async () => {
  await backend?.close();
});

const countOf = async (
  table: 'calls' | 'utterances' | 'toolExecutions' | 'toolExecutionAttempts' | 'callCosts',
) =>
  withTenant(backend.deps.db, tenantId, async (tx) => {
    const t = tables[table];
    const [row] = await tx.select({ n: count() }).from(t).where(eq(t.tenantId, tenantId));
    return row!.n;
  });

describe('seedCalls', () => {
  it('writes calls with turns, tool executions with attempts and costs, in batches, reporting progress', async () => {
    const progress: number[] = [];
    const result = await seedCalls(backend.deps, {
      tenantId,
      calls: 250,
      batchSize: 100,
      onProgress: (written) => progress.push(written),
    });
    expect(progress).toEqual([100, 200, 250]);
    expect(result.calls).toBe(250);
    expect(await countOf('calls')).toBe(250);
    expect(await countOf('utterances')).toBe(result.utterances);
    expect(result.utterances).toBeGreaterThanOrEqual(500);
    expect(await countOf('toolExecutions')).toBe(result.toolExecutions);
    expect(result.toolExecutions).toBeGreaterThan(0);
    expect(await countOf('toolExecutionAttempts')).toBe(result.attempts);
    expect(await countOf('callCosts')).toBe(250 * 4);
    const spread = await withTenant(backend.deps.db, tenantId, (tx) =>
      rawQuery<{ days: number; held: number; outcomes: number }>(
        tx,
        sql`select (extract(epoch from max(started_at) - min(started_at)) / 86400)::int as days,
                   count(*) filter (where legal_hold)::int as held,
                   count(distinct outcome)::int as outcomes
            from calls`,
      ),
    );
    expect(spread.rows[0]!.days).toBeGreaterThanOrEqual(80);
    expect(spread.rows[0]!.outcomes).toBeGreaterThan(1);
    // Each call has the metrics its content gives, and the daily KPIs count the ended calls.
    const storedMetrics = () =>
      withTenant(backend.deps.db, tenantId, (tx) =>
        tx
          .select()
          .from(tables.callMetrics)
          .orderBy(tables.callMetrics.callId)
          .then((rows) => rows.map(({ computedAt: _, ...m }) => m)),
      );
    const seeded = await storedMetrics();
    expect(seeded).toHaveLength(250);
    await withTenant(backend.deps.db, tenantId, async (tx) => {
      for (const m of seeded.slice(0, 20)) await recomputeCallMetrics(tx, tenantId, m.callId);
    });
    expect((await storedMetrics()).slice(0, 20)).toEqual(seeded.slice(0, 20));
    const kpis = await withTenant(backend.deps.db, tenantId, (tx) =>
      rawQuery<{ rolled: number; ended: number }>(
        tx,
        sql`select (select coalesce(sum(calls), 0)::int from daily_kpis) as rolled,
                   (select count(*)::int from calls where status in ('completed', 'failed', 'rejected')) as ended`,
      ),
    );
    expect(kpis.rows[0]!.rolled).toBe(kpis.rows[0]!.ended);
    expect(kpis.rows[0]!.ended).toBeGreaterThan(0);
    // Nothing leaks into another tenant.
    const other = await listCalls(backend.deps, otherTenantId, { limit: 10 });
    expect(other.items).toEqual([]);
  });
});

describe('listCalls', () => {
  it('pages newest first through every call exactly once while calls are added', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let previous: { startedAt: Date; id: string } | undefined;
    do {
      const page = await listCalls(backend.deps, tenantId, { limit: 40, ...(cursor ? { cursor } : {}) });
      for (const item of page.items) {
        if (previous) {
          const order =
            item.startedAt.getTime() - previous.startedAt.getTime() || (item.id < previous.id ? -1 : 1);
          expect(order).toBeLessThan(0);
        }
        previous = item;
        seen.push(item.id);
      }
      // Concurrent writers: new calls (now) arrive between page reads.
      await seedCalls(backend.deps, { tenantId, calls: 3, days: 0.0001, seed: pages + 100 });
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(250 / 40));
    expect(new Set(seen).size).toBe(250);
    expect(seen.length).toBe(250);
  });

  it('keeps calls that share a start time in id order across a page boundary', async () => {
    const at = new Date('2026-01-01T00:00:00.123456Z');
    const ids = [
      'call_00000000000000000000000001',
      'call_00000000000000000000000002',
      'call_00000000000000000000000003',
    ];
    await withTenant(backend.deps.db, otherTenantId, (tx) =>
      rawQuery(
        tx,
        sql`insert into calls (id, tenant_id, status, started_at)
            select id, ${otherTenantId}, 'completed', '2026-01-01T00:00:00.123456Z'::timestamptz
            from unnest(${sql.param(ids)}::text[]) as t(id)`,
      ),
    );
    const first = await listCalls(backend.deps, otherTenantId, { limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const second = await listCalls(backend.deps, otherTenantId, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((c) => c.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    expect(at.getTime()).toBeGreaterThan(0);
  });

  it('filters by status, end reason, outcome, duration, legal hold, caller and date range', async () => {
    const all = await withTenant(backend.deps.db, tenantId, (tx) => tx.select().from(tables.calls));
    const check = async (filter: Parameters<typeof listCalls>[2], expected: typeof all) => {
      const page = await listCalls(backend.deps, tenantId, { ...filter, limit: 200 });
      const want = expected.map((c) => c.id).sort();
      expect(page.items.map((c) => c.id).sort()).toEqual(want.slice(0, 200));
    };
    await check(
      { limit: 200, status: 'failed' },
      all.filter((c) => c.status === 'failed'),
    );
    await check(
      { limit: 200, endReason: 'caller_hangup' },
      all.filter((c) => c.endReason === 'caller_hangup'),
    );
    await check(
      { limit: 200, outcome: 'appointment_booked' },
      all.filter((c) => c.outcome === 'appointment_booked'),
    );
    await check(
      { limit: 200, legalHold: false, minDurationMs: 20_000, maxDurationMs: 30_000 },
      all.filter(
        (c) => !c.legalHold && c.durationMs !== null && c.durationMs >= 20_000 && c.durationMs <= 30_000,
      ),
    );
    const caller = all[0]!.fromNumber!;
    await check(
      { limit: 200, caller },
      all.filter((c) => c.fromNumber === caller),
    );
    await check(
      { limit: 200, caller: caller.slice(-4) },
      all.filter((c) => c.fromNumber!.includes(caller.slice(-4))),
    );
    const from = new Date(Date.now() - 10 * 86_400_000);
    const to = new Date(Date.now() - 5 * 86_400_000);
    await check(
      { limit: 200, from, to },
      all.filter((c) => c.startedAt >= from && c.startedAt < to),
    );
    await check({ limit: 200, hasRecording: true }, []);
  });

  it('finds calls by what was said, stemmed, and not by what was not', async () => {
    const said = await withTenant(backend.deps.db, tenantId, (tx) =>
      rawQuery<{ call_id: string }>(
        tx,
        sql`select distinct call_id from utterances where text ilike '%toothache%'`,
      ),
    );
    expect(said.rows.length).toBeGreaterThan(0);
    const page = await listCalls(backend.deps, tenantId, { limit: 200, q: 'toothaches' });
    expect(page.items.map((c) => c.id).sort()).toEqual(said.rows.map((r) => r.call_id).sort());
    const none = await listCalls(backend.deps, tenantId, { limit: 10, q: 'zeppelin' });
    expect(none.items).toEqual([]);
  });

  it('refuses a cursor it did not issue with CURSOR_INVALID', async () => {
    for (const cursor of [
      'nope!',
      'bm9wZQ',
      encodeCallCursor({ startedAt: 'yesterday', id: 'call_x' }),
      'x'.repeat(300),
    ]) {
      const err = await listCalls(backend.deps, tenantId, { limit: 5, cursor }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('CURSOR_INVALID');
    }
  });
});

describe('exportCallsCsv', () => {
  it('escapes quotes, separators and line breaks, and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('+15005550006')).toBe('+15005550006');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('streams every filtered call in pages, newest first', async () => {
    let csv = '';
    let chunks = 0;
    for await (const chunk of exportCallsCsv(
      backend.deps,
      { tenantId },
      { status: 'completed' },
      { pageSize: 50 },
    )) {
      csv += chunk;
      chunks++;
    }
    const lines = csv.trimEnd().split('\r\n');
    const completed = await withTenant(backend.deps.db, tenantId, (tx) =>
      tx.select({ n: count() }).from(tables.calls).where(eq(tables.calls.status, 'completed')),
    );
    expect(lines[0]).toMatch(/^call_id,tenant_id,started_at,/);
    expect(lines.length - 1).toBe(completed[0]!.n);
    expect(chunks).toBeGreaterThan(2);
    expect(lines.slice(1).every((l) => l.includes(',completed,'))).toBe(true);
  });
});
