import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendKind, openTestBackend, type TestBackend } from '../../test/support/backend.js';
import {
  callCostRow,
  recordingRow,
  toolExecutionAttemptRow,
  utteranceRow,
} from '../../test/support/placeholder-rows.js';
import { getCallDetail } from '../analytics/call-detail.js';
import type { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { type AppDb, rawQuery, readAsTenant, tables, withAllTenants, withTenant } from './index.js';

/** One row in every tenant-owned table, written as the tables' owner (row-level security does not apply). */
async function seedEveryTenantTable(db: AppDb, tenantId: string): Promise<void> {
  const t = tables;
  const userId = newId('user');
  const agentId = newId('agent');
  const versionId = newId('agentVersion');
  const connectionId = newId('n8nConnection');
  const toolId = newId('tool');
  const callId = newId('call');
  const executionId = newId('toolExecution');
  await db.insert(t.tenants).values({ id: tenantId, name: tenantId, slug: tenantId });
  await db.insert(t.users).values({ id: userId, email: `${userId}@example.com`, name: 'u' });
  await db.insert(t.memberships).values({ userId, tenantId, role: 'client_viewer' });
  await db.insert(t.auditLog).values({ id: newId('audit'), tenantId, actorKind: 'system', action: 'seed' });
  await db.insert(t.retentionPolicies).values({ tenantId });
  await db.insert(t.tenantBranding).values({ tenantId, displayName: tenantId, accentColor: '#123456' });
  await db
    .insert(t.n8nConnections)
    .values({ id: connectionId, tenantId, name: 'n8n', baseUrl: 'https://x.app.n8n.cloud' });
  await db.insert(t.agents).values({ id: agentId, tenantId, name: 'a', draft: {} });
  await db.insert(t.agentVersions).values({ id: versionId, tenantId, agentId, version: 1, config: {} });
  await db
    .insert(t.tools)
    .values({ id: toolId, tenantId, name: 'book', description: 'd', inputSchema: {}, connectionId });
  await db
    .insert(t.phoneNumbers)
    .values({ id: newId('phoneNumber'), tenantId, e164: `+1555${Math.floor(Math.random() * 1e7)}`, agentId });
  await db.insert(t.calls).values({ id: callId, tenantId, agentId, agentVersionId: versionId });
  await db.insert(t.callEvents).values({ tenantId, callId, type: 'seed' });
  await db.insert(t.utterances).values(utteranceRow(tenantId, callId));
  await db.insert(t.recordings).values(recordingRow(tenantId, callId));
  await db.insert(t.toolExecutions).values({
    id: executionId,
    tenantId,
    toolId,
    toolName: 'book',
    callId,
    status: 'succeeded',
    idempotencyKey: executionId,
  });
  await db.insert(t.toolExecutionAttempts).values(toolExecutionAttemptRow(tenantId, executionId));
  await db.insert(t.callCosts).values(callCostRow(tenantId, callId));
  await db.insert(t.callMetrics).values({ callId, tenantId });
  await db.insert(t.dailyKpis).values({ tenantId, agentId, day: '2026-01-01' });
  await db
    .insert(t.deletionAudit)
    .values({ id: newId('deletion'), tenantId, callId, runId: 'r', dryRun: true, deleted: {} });
  await db
    .insert(t.retentionRuns)
    .values({ id: newId('retentionRun'), tenantId, dryRun: true, trigger: 'cli', asOf: new Date() });
  await db.insert(t.retentionPending).values({ callId, tenantId, runId: 'r', policyDays: 30, blobKeys: [] });
  await db.insert(t.callAnalyses).values({ callId, tenantId, status: 'done', summary: 's', data: {} });
  const caseId = newId('testCase');
  const runId = newId('testRun');
  await db
    .insert(t.agentTestCases)
    .values({ id: caseId, tenantId, agentId, name: 'c', spec: {}, expect: {} });
  await db
    .insert(t.agentTestCaseRevisions)
    .values({ caseId, tenantId, revision: 1, name: 'c', spec: {}, expect: {} });
  await db.insert(t.agentTestRuns).values({ id: runId, tenantId, agentId, configHash: 'h', suiteHash: 'h' });
  await db.insert(t.agentTestResults).values({
    id: newId('testResult'),
    tenantId,
    runId,
    caseId,
    caseName: 'c',
    caseRevision: 1,
    status: 'passed',
    reasons: [],
    transcript: [],
    toolTrace: [],
    latency: {},
    durationMs: 1,
  });
}

/** Carries a tenant id but is identity, read before any tenant is known: no tenant-role grant (roles.db.test.ts). */
const PLATFORM_TABLES = new Set(['api_keys']);

async function expectRlsViolation(work: Promise<unknown>): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  const cause = (err as { cause?: { message?: string } } | undefined)?.cause;
  expect(String(cause?.message ?? (err as Error | undefined)?.message)).toMatch(/row-level security/);
}

let backend: TestBackend;
let tenantTables: string[];
const tenantA = newId('tenant');
const tenantB = newId('tenant');

beforeAll(async () => {
  backend = await openTestBackend();
  await seedEveryTenantTable(backend.owner, tenantA);
  await seedEveryTenantTable(backend.owner, tenantB);
  const rows = await rawQuery<{ table_name: string }>(
    backend.database.db,
    sql`select c.table_name from information_schema.columns c where c.table_schema = 'public' and c.column_name = 'tenant_id' order by 1`,
  );
  tenantTables = [...rows.rows.map((r) => r.table_name).filter((t) => !PLATFORM_TABLES.has(t)), 'tenants'];
});
afterAll(() => backend?.close());

const tenantColumn = (table: string) => (table === 'tenants' ? 'id' : 'tenant_id');

describe('row-level security', () => {
  it('is enabled on every table that carries a tenant_id', async () => {
    const rows = await rawQuery<{ relname: string; relrowsecurity: boolean }>(
      backend.database.db,
      sql`select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'`,
    );
    const secured = new Set(rows.rows.filter((r) => r.relrowsecurity).map((r) => r.relname));
    expect(tenantTables.filter((t) => !secured.has(t))).toEqual([]);
    expect(tenantTables.length).toBeGreaterThanOrEqual(18);
  });

  it("shows tenant A's transaction none of tenant B's rows, in every tenant table, through raw SQL", async () => {
    for (const table of tenantTables) {
      const seen = await withTenant(backend.database.db, tenantA, (tx) =>
        rawQuery<{ tenant: string }>(tx, sql.raw(`select ${tenantColumn(table)} as tenant from "${table}"`)),
      );
      const tenants = new Set(seen.rows.map((r) => r.tenant));
      expect({ table, tenants: [...tenants] }).toEqual({ table, tenants: [tenantA] });
    }
  });

  it('runs tenant transactions as a role that cannot bypass RLS, even when connected as a superuser', async () => {
    const [who] = (
      await withTenant(backend.database.db, tenantA, (tx) =>
        rawQuery<{ current_user: string; bypass: boolean; superuser: boolean }>(
          tx,
          sql`select current_user, rolbypassrls as bypass, rolsuper as superuser from pg_roles where rolname = current_user`,
        ),
      )
    ).rows;
    expect(who).toEqual({ current_user: 'switchboard_app', bypass: false, superuser: false });
  });

  it("refuses to write or move a row into another tenant from tenant A's transaction", async () => {
    await expectRlsViolation(
      withTenant(backend.database.db, tenantA, (tx) =>
        rawQuery(
          tx,
          sql`insert into audit_log (id, tenant_id, actor_kind, action) values (${newId('audit')}, ${tenantB}, 'system', 'x')`,
        ),
      ),
    );
    await expectRlsViolation(
      withTenant(backend.database.db, tenantA, (tx) =>
        rawQuery(tx, sql`update agents set tenant_id = ${tenantB} where tenant_id = ${tenantA}`),
      ),
    );
    const updated = await withTenant(backend.database.db, tenantA, (tx) =>
      rawQuery(tx, sql`update calls set legal_hold = true where tenant_id = ${tenantB}`),
    );
    expect(updated.rowCount).toBe(0);
    const deleted = await withTenant(backend.database.db, tenantA, (tx) =>
      rawQuery(tx, sql`delete from utterances where tenant_id = ${tenantB}`),
    );
    expect(deleted.rowCount).toBe(0);
  });

  it('resets the scope after the transaction: the next one sees only its own tenant', async () => {
    await withTenant(backend.database.db, tenantA, async () => {});
    const seen = await withTenant(backend.database.db, tenantB, (tx) =>
      rawQuery<{ id: string }>(tx, sql`select id from tenants`),
    );
    expect(seen.rows.map((r) => r.id)).toEqual([tenantB]);
  });

  it('sees nothing at all in a transaction that set no tenant', async () => {
    const seen = await backend.database.db.transaction(async (tx) => {
      await rawQuery(tx, sql`select set_config('role', 'switchboard_app', true)`);
      return rawQuery<{ n: number }>(tx, sql`select count(*)::int as n from calls`);
    });
    expect(seen.rows[0]!.n).toBe(0);
  });

  it('reaches every tenant only through the explicit cross-tenant path, which reports who and why', async () => {
    const reported: unknown[] = [];
    const seen = await withAllTenants(
      backend.database.db,
      { actor: 'user:usr_test', purpose: 'test' },
      (access) => reported.push(access),
      (tx) => rawQuery<{ id: string }>(tx, sql`select id from tenants`),
    );
    expect(seen.rows.map((r) => r.id)).toEqual(expect.arrayContaining([tenantA, tenantB]));
    expect(reported).toEqual([{ actor: 'user:usr_test', purpose: 'test' }]);
  });
});

describe('reads as a tenant (readAsTenant: on PostgreSQL, session-scoped connections of their own)', () => {
  const tenantsSeenIn = async (tenantId: string, table: string) =>
    new Set(
      (
        await readAsTenant(backend.database.db, tenantId, (db) =>
          rawQuery<{ tenant: string }>(
            db,
            sql.raw(`select ${tenantColumn(table)} as tenant from "${table}"`),
          ),
        )
      ).rows.map((r) => r.tenant),
    );

  it('shows each tenant only its own rows in every tenant table, when one connection alternates between tenants', async () => {
    for (const table of tenantTables) {
      for (const tenantId of [tenantA, tenantB, tenantB, tenantA]) {
        expect({ table, tenants: [...(await tenantsSeenIn(tenantId, table))] }).toEqual({
          table,
          tenants: [tenantId],
        });
      }
    }
  });

  it("reuses a call detail's prepared statements across tenants without showing one tenant another's call", async () => {
    const callOf = async (tenantId: string) =>
      (await rawQuery<{ id: string }>(backend.owner, sql`select id from calls where tenant_id = ${tenantId}`))
        .rows[0]!.id;
    const [callA, callB] = [await callOf(tenantA), await callOf(tenantB)];
    const detail = (tenantId: string, callId: string) =>
      getCallDetail(backend.deps, { tenantId, callId, view: 'internal', viewer: 'test' }).then(
        (d) => d.transcript.map((t) => t.text),
        (err: AppError) => err.code,
      );
    expect(await detail(tenantB, callB)).toEqual(['hi']);
    expect(await detail(tenantA, callB)).toBe('CALL_NOT_FOUND');
    expect(await detail(tenantA, callA)).toEqual(['hi']);
    expect(await detail(tenantB, callA)).toBe('CALL_NOT_FOUND');
  });

  it('runs as the role that cannot bypass RLS, which refuses a write into another tenant', async () => {
    const [who] = (
      await readAsTenant(backend.database.db, tenantA, (db) =>
        rawQuery<{ current_user: string; bypass: boolean }>(
          db,
          sql`select current_user, rolbypassrls as bypass from pg_roles where rolname = current_user`,
        ),
      )
    ).rows;
    expect(who).toEqual({ current_user: 'switchboard_app', bypass: false });
    await expectRlsViolation(
      readAsTenant(backend.database.db, tenantA, (db) =>
        rawQuery(
          db,
          sql`insert into audit_log (id, tenant_id, actor_kind, action) values (${newId('audit')}, ${tenantB}, 'system', 'x')`,
        ),
      ),
    );
  });

  it.runIf(backendKind() === 'services')(
    "leaves the application's other connections unscoped: they see no tenant's rows after a read",
    async () => {
      await Promise.all([tenantA, tenantB, tenantA].map((tenantId) => tenantsSeenIn(tenantId, 'calls')));
      const counts = await Promise.all(
        Array.from({ length: 5 }, () =>
          rawQuery<{ n: number; role: string }>(
            backend.database.db,
            sql`select count(*)::int as n, current_user as role from calls`,
          ),
        ),
      );
      expect(counts.map((c) => c.rows[0])).toEqual(
        Array(5).fill({ n: 0, role: expect.not.stringMatching(/^switchboard_app$/) }),
      );
    },
  );
});
