import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import {
  callCostRow,
  recordingRow,
  toolExecutionAttemptRow,
  utteranceRow,
} from '../../test/support/placeholder-rows.js';
import { adminUrl, runtimeRole } from '../../test/support/urls.js';
import { newId } from '../lib/ids.js';
import { type AppDb, openDatabase, rawQuery, tables, warnIfPrivilegedRole, withTenant } from './index.js';

interface Seeded {
  tenantId: string;
  userId: string;
  agentId: string;
  versionId: string;
  connectionId: string;
  toolId: string;
  phoneNumberId: string;
  callId: string;
  executionId: string;
}

/** A tenant with one row of each parent table, written as the owner (no row-level security). */
async function seedTenant(db: AppDb): Promise<Seeded> {
  const t = tables;
  const s: Seeded = {
    tenantId: newId('tenant'),
    userId: newId('user'),
    agentId: newId('agent'),
    versionId: newId('agentVersion'),
    connectionId: newId('n8nConnection'),
    toolId: newId('tool'),
    phoneNumberId: newId('phoneNumber'),
    callId: newId('call'),
    executionId: newId('toolExecution'),
  };
  const tenantId = s.tenantId;
  await db.insert(t.tenants).values({ id: tenantId, name: tenantId, slug: tenantId });
  await db.insert(t.users).values({ id: s.userId, email: `${s.userId}@example.com`, name: 'u' });
  await db.insert(t.sessions).values({
    id: `ses_${s.userId}`,
    userId: s.userId,
    csrfToken: 'c',
    expiresAt: new Date(Date.now() + 60_000),
  });
  await db.insert(t.apiKeys).values({
    id: newId('apiKey'),
    name: 'k',
    prefix: 'sb_x',
    hash: `hash-${tenantId}`,
    role: 'client_viewer',
    tenantId,
  });
  await db
    .insert(t.n8nConnections)
    .values({ id: s.connectionId, tenantId, name: 'n8n', baseUrl: 'https://n8n.test' });
  await db.insert(t.agents).values({ id: s.agentId, tenantId, name: 'a', draft: {} });
  await db
    .insert(t.agentVersions)
    .values({ id: s.versionId, tenantId, agentId: s.agentId, version: 1, config: {} });
  await db.insert(t.tools).values({
    id: s.toolId,
    tenantId,
    name: 'book',
    description: 'd',
    inputSchema: {},
    connectionId: s.connectionId,
  });
  await db.insert(t.phoneNumbers).values({
    id: s.phoneNumberId,
    tenantId,
    e164: `+1555${Math.floor(Math.random() * 1e7)}`,
    agentId: s.agentId,
  });
  await db.insert(t.calls).values({
    id: s.callId,
    tenantId,
    agentId: s.agentId,
    agentVersionId: s.versionId,
    phoneNumberId: s.phoneNumberId,
  });
  await db.insert(t.toolExecutions).values({
    id: s.executionId,
    tenantId,
    toolId: s.toolId,
    toolName: 'book',
    callId: s.callId,
    status: 'succeeded',
    idempotencyKey: s.executionId,
  });
  return s;
}

/** The SQLSTATE of a failed statement (drizzle wraps the driver's error in `cause`). */
async function sqlState(work: Promise<unknown>): Promise<string | undefined> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e as { code?: string; cause?: { code?: string } },
  );
  if (!err) return undefined;
  return err.cause?.code ?? err.code ?? 'unknown';
}

const PERMISSION_DENIED = '42501';
const FOREIGN_KEY_VIOLATION = '23503';

let backend: TestBackend;
let a: Seeded;
let b: Seeded;

beforeAll(async () => {
  backend = await openTestBackend();
  a = await seedTenant(backend.owner);
  b = await seedTenant(backend.owner);
});
afterAll(() => backend?.close());

describe('identity tables', () => {
  it.each(['users', 'sessions', 'password_tokens', 'api_keys'])(
    'are out of reach inside a tenant transaction: %s',
    async (table) => {
      const state = await sqlState(
        withTenant(backend.database.db, a.tenantId, (tx) =>
          rawQuery(tx, sql.raw(`select * from "${table}"`)),
        ),
      );
      expect(state).toBe(PERMISSION_DENIED);
    },
  );

  it('cannot be written inside a tenant transaction: no promoting a user from tenant work', async () => {
    for (const statement of [
      sql`update users set platform_role = 'internal_admin' where id = ${a.userId}`,
      sql`insert into users (id, email, name, platform_role) values (${newId('user')}, 'x@example.com', 'x', 'internal_admin')`,
      sql`delete from sessions`,
      sql`update api_keys set role = 'internal_admin', tenant_id = null`,
    ]) {
      expect(
        await sqlState(withTenant(backend.database.db, a.tenantId, (tx) => rawQuery(tx, statement))),
      ).toBe(PERMISSION_DENIED);
    }
    const [user] = await backend.owner.select().from(tables.users).where(sql`id = ${a.userId}`);
    expect(user?.platformRole).toBeNull();
  });

  it('stay readable on the identity path (the connection itself), where the auth code runs', async () => {
    const rows = await backend.database.db.select().from(tables.users).where(sql`id = ${a.userId}`);
    expect(rows).toHaveLength(1);
  });
});

describe('tenant-scoped foreign keys', () => {
  // Written as the owner, which row-level security does not confine: only the keys can refuse these.
  const crossTenant: [string, () => Promise<unknown>][] = [
    [
      "a tool bound to another tenant's n8n connection",
      () =>
        backend.owner.insert(tables.tools).values({
          id: newId('tool'),
          tenantId: a.tenantId,
          name: 'steal',
          description: 'd',
          inputSchema: {},
          connectionId: b.connectionId,
        }),
    ],
    [
      "a number routed to another tenant's agent",
      () =>
        backend.owner
          .update(tables.phoneNumbers)
          .set({ agentId: b.agentId })
          .where(sql`id = ${a.phoneNumberId}`),
    ],
    [
      "a version of another tenant's agent",
      () =>
        backend.owner.insert(tables.agentVersions).values({
          id: newId('agentVersion'),
          tenantId: a.tenantId,
          agentId: b.agentId,
          version: 9,
          config: {},
        }),
    ],
    [
      "another tenant's version as the live one",
      () =>
        backend.owner.update(tables.agents).set({ liveVersionId: b.versionId }).where(sql`id = ${a.agentId}`),
    ],
    [
      "a call on another tenant's agent",
      () =>
        backend.owner
          .insert(tables.calls)
          .values({ id: newId('call'), tenantId: a.tenantId, agentId: b.agentId }),
    ],
    [
      "a call on another tenant's agent version",
      () =>
        backend.owner
          .insert(tables.calls)
          .values({ id: newId('call'), tenantId: a.tenantId, agentVersionId: b.versionId }),
    ],
    [
      "a call on another tenant's number",
      () =>
        backend.owner
          .insert(tables.calls)
          .values({ id: newId('call'), tenantId: a.tenantId, phoneNumberId: b.phoneNumberId }),
    ],
    [
      "an event on another tenant's call",
      () =>
        backend.owner.insert(tables.callEvents).values({ tenantId: a.tenantId, callId: b.callId, type: 'x' }),
    ],
    [
      "an utterance on another tenant's call",
      () => backend.owner.insert(tables.utterances).values(utteranceRow(a.tenantId, b.callId)),
    ],
    [
      "a recording of another tenant's call",
      () => backend.owner.insert(tables.recordings).values(recordingRow(a.tenantId, b.callId)),
    ],
    [
      "a cost on another tenant's call",
      () => backend.owner.insert(tables.callCosts).values(callCostRow(a.tenantId, b.callId)),
    ],
    [
      "a tool execution on another tenant's call",
      () =>
        backend.owner.insert(tables.toolExecutions).values({
          id: newId('toolExecution'),
          tenantId: a.tenantId,
          toolName: 'book',
          callId: b.callId,
          status: 'running',
          idempotencyKey: 'k',
        }),
    ],
    [
      "a tool execution of another tenant's tool",
      () =>
        backend.owner.insert(tables.toolExecutions).values({
          id: newId('toolExecution'),
          tenantId: a.tenantId,
          toolId: b.toolId,
          toolName: 'book',
          status: 'running',
          idempotencyKey: 'k',
        }),
    ],
    [
      "an attempt of another tenant's tool execution",
      () =>
        backend.owner
          .insert(tables.toolExecutionAttempts)
          .values(toolExecutionAttemptRow(a.tenantId, b.executionId)),
    ],
  ];

  it.each(crossTenant)('refuse %s', async (_what, write) => {
    expect(await sqlState(write())).toBe(FOREIGN_KEY_VIOLATION);
  });

  it("still accept the same references within one tenant, and keep the child's tenant when a parent goes", async () => {
    const callId = newId('call');
    await backend.owner.insert(tables.calls).values({
      id: callId,
      tenantId: a.tenantId,
      agentId: a.agentId,
      agentVersionId: a.versionId,
      phoneNumberId: a.phoneNumberId,
    });
    await backend.owner.insert(tables.callEvents).values({ tenantId: a.tenantId, callId, type: 'x' });
    await backend.owner.delete(tables.phoneNumbers).where(sql`id = ${a.phoneNumberId}`);
    const [call] = await backend.owner.select().from(tables.calls).where(sql`id = ${callId}`);
    expect(call).toMatchObject({ tenantId: a.tenantId, phoneNumberId: null, agentId: a.agentId });
    await backend.owner.delete(tables.calls).where(sql`id = ${callId}`);
    expect(await backend.owner.select().from(tables.callEvents).where(sql`call_id = ${callId}`)).toEqual([]);
  });
});

describe.runIf(process.env.SWITCHBOARD_TEST_BACKEND === 'services')(
  'the runtime login role (PostgreSQL)',
  () => {
    it('is neither a superuser nor BYPASSRLS, so start-up does not warn', async () => {
      const lines: { msg: string }[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
      expect(await warnIfPrivilegedRole(backend.database, log)).toEqual({
        name: runtimeRole(),
        superuser: false,
        bypassRls: false,
      });
      expect(lines).toEqual([]);
    });

    it('warns at start-up when the server connects as a superuser', async () => {
      const superuser = await openDatabase({ kind: 'postgres', url: adminUrl(), maxConnections: 1 });
      try {
        const lines: { msg: string; superuser?: boolean }[] = [];
        const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
        await warnIfPrivilegedRole(superuser, log);
        expect(lines).toEqual([
          expect.objectContaining({
            superuser: true,
            msg: expect.stringMatching(/bypasses row-level security/),
          }),
        ]);
      } finally {
        await superuser.close();
      }
    });

    it('cannot leave row-level security with RESET ROLE inside a tenant transaction', async () => {
      const seen = await withTenant(backend.database.db, a.tenantId, async (tx) => {
        await rawQuery(tx, sql`reset role`);
        const who = await rawQuery<{ u: string }>(tx, sql`select current_user as u`);
        const calls = await rawQuery<{ tenant_id: string }>(tx, sql`select tenant_id from calls`);
        const other = await rawQuery<{ id: string }>(
          tx,
          sql`select id from calls where tenant_id = ${b.tenantId}`,
        );
        return {
          who: who.rows[0]!.u,
          tenants: [...new Set(calls.rows.map((r) => r.tenant_id))],
          other: other.rows,
        };
      });
      expect(seen).toEqual({ who: runtimeRole(), tenants: [a.tenantId], other: [] });
    });

    it('sees no tenant rows in a query outside any tenant scope', async () => {
      const rows = await rawQuery<{ n: number }>(
        backend.database.db,
        sql`select count(*)::int as n from calls`,
      );
      expect(rows.rows[0]!.n).toBe(0);
    });

    it('migrates with the owner URL (the runtime role may not)', async () => {
      await backend.database.migrate();
      expect(
        await sqlState(rawQuery(backend.database.db, sql`create table runtime_may_not_create (id int)`)),
      ).toBe(PERMISSION_DENIED);
    });
  },
);
