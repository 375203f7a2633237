import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCallCommand } from '../../src/cli/call-command.js';
import { type Config, loadConfig } from '../../src/config/index.js';
import { DEMO_TENANTS, seedDemo } from '../../src/control/seed-demo.js';
import { tables, withTenant } from '../../src/db/index.js';
import { createOutboundGuard, type OutboundGuard } from '../../src/lib/ssrf.js';
import { N8nApiClient, normaliseBaseUrl } from '../../src/n8n/index.js';
import { type Platform, startPlatform } from '../../src/platform/platform.js';
import { configWithSandbox } from '../../src/platform/sandbox-mode.js';
import { type Credentials, call, loginAs } from '../support/app.js';
import { backendKind } from '../support/backend.js';
import { createActiveWorkflow, deleteWorkflow, respondNode } from '../support/n8n-workflows.js';
import { adminUrl, databaseUrl, redisUrl, runtimeDatabaseUrl } from '../support/urls.js';

/**
 * Issue 15, point 6 on a real n8n: the shipped `book-appointment` scenario, placed through
 * `switchboard call` against the seeded demo whose booking tool is bound to a workflow this suite
 * creates in n8n (names start with `h-book-appointment`, deleted afterwards). The workflow answers
 * fields the sandbox's workflow never uses, so the agent must read the result generically.
 * Opt-in: runs when N8N_URL and N8N_API_KEY are set (`.ci/run` sets them).
 */
const N8N_URL = process.env.N8N_URL;
const N8N_API_KEY = process.env.N8N_API_KEY;

const ADMIN = { email: 'admin@switchboard.local', password: 'demo-admin-password' };

describe.skipIf(!N8N_URL || !N8N_API_KEY)('the shipped book-appointment scenario on a real n8n', () => {
  const tag = randomBytes(3).toString('hex');
  const path = `h-book-appointment-${tag}`;
  const confirmation = `RX-${randomInt(1000, 10_000)}`;
  let dataDir: string | undefined;
  let baseUrl: string;
  let config: Config;
  let platform: Platform;
  let guard: OutboundGuard;
  let api: N8nApiClient;
  let workflowId: string | undefined;
  let tenantId: string;
  let cleanupServices = async () => {};

  /** On PostgreSQL + Redis: a database from the migrated template, a key prefix of its own. */
  async function backendEnv(dataDir: string): Promise<{ env: Record<string, string>; keyPrefix: string }> {
    if (backendKind() === 'embedded') return { env: { DATA_DIR: dataDir }, keyPrefix: '' };
    const name = `sb_test_${tag}_${randomBytes(3).toString('hex')}`;
    const keyPrefix = `sbtest:${name}:`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`create database "${name}" template "${inject('pgTemplate')}"`);
    cleanupServices = async () => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
      const redis = new Redis(redisUrl());
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    };
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: runtimeDatabaseUrl(name),
      DATABASE_MIGRATION_URL: databaseUrl(name),
      REDIS_URL: redisUrl(),
    };
    return { env, keyPrefix };
  }

  async function ok<T>(
    app: FastifyInstance,
    creds: Credentials,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    body?: unknown,
  ): Promise<T> {
    const res = await call(app, creds, method, url, body);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json() as T;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'h-n8nreal-'));
    const base = normaliseBaseUrl(N8N_URL!);
    if (!base.ok) throw new Error(`N8N_URL ${base.error}`);
    baseUrl = base.value;
    api = new N8nApiClient({ baseUrl, apiKey: N8N_API_KEY!, fetch, timeoutMs: 15_000 });
    // The booking workflow reads the arguments where the gateway puts them (`body.args`) and
    // answers fields of its own: a confirmation number and an ISO slot, no `booked`/`status`.
    workflowId = await createActiveWorkflow(api, `h-book-appointment ${tag}`, path, [
      respondNode(
        `{ "confirmation": ${JSON.stringify(confirmation)}, "slot": $json.body.args.date + "T" + $json.body.args.time }`,
      ),
    ]);

    const n8nHost = new URL(baseUrl);
    const { env, keyPrefix } = await backendEnv(dataDir);
    config = loadConfig({
      LOG_LEVEL: 'silent',
      PORT: '0',
      SANDBOX: 'on',
      SANDBOX_PORT: '0',
      SANDBOX_PACE: 'fast',
      SEED_DEMO: 'false',
      // The SSRF guard refuses loopback unless named: allow exactly the real n8n's host:port.
      OUTBOUND_ALLOWED_HOSTS: n8nHost.host,
      ...env,
    });
    if (config.store.kind === 'redis')
      config = { ...config, store: { ...config.store, keyPrefix } as Config['store'] };
    platform = await startPlatform(config, pino({ level: 'silent' }));
    const sandbox = platform.sandbox!;
    guard = createOutboundGuard({ allowedHosts: configWithSandbox(config, sandbox).outboundAllowedHosts });
    expect(await seedDemo(platform.deps, { n8nUrl: sandbox.n8n.url, outbound: guard })).toBe(true);

    // Re-point the demo tenant at the real n8n through the API, as an operator would.
    const app = platform.app;
    const admin = await loginAs(app, ADMIN.email, ADMIN.password);
    const tenants = await ok<{ items: { id: string; slug: string }[] }>(app, admin, 'GET', '/api/tenants');
    tenantId = tenants.items.find((t) => t.slug === DEMO_TENANTS[0]!.slug)!.id;
    const t = `/api/tenants/${tenantId}`;
    const connections = await ok<{ items: { id: string }[] }>(app, admin, 'GET', `${t}/n8n-connections`);
    expect(connections.items).toHaveLength(1);
    await ok(app, admin, 'PATCH', `${t}/n8n-connections/${connections.items[0]!.id}`, {
      name: 'Real n8n',
      baseUrl,
      apiKey: N8N_API_KEY,
    });
    const tools = await ok<{ items: { id: string; name: string }[] }>(app, admin, 'GET', `${t}/tools`);
    const booking = tools.items.find((x) => x.name === 'book_appointment')!;
    await ok(app, admin, 'PATCH', `${t}/tools/${booking.id}`, { webhookPath: path, workflowId });
    // Published versions keep the tool snapshot they were published with: publish again. The demo
    // agent's test suite gates publishing; the scenario below is this suite's check, so the admin
    // overrides the gate (audited) rather than running the demo suite against the real n8n too.
    const agents = await ok<{ items: { id: string }[] }>(app, admin, 'GET', `${t}/agents`);
    expect(agents.items).toHaveLength(1);
    await ok(app, admin, 'POST', `${t}/agents/${agents.items[0]!.id}/versions`, {
      note: 'booking on the real n8n',
      override: { reason: 'issue 15 point 6: the shipped scenario is the check' },
    });
  }, 120_000);

  afterAll(async () => {
    if (workflowId) await deleteWorkflow(api, workflowId);
    await guard?.close();
    await platform?.close();
    await cleanupServices();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('books through the real workflow, reads its fields back and records appointment_booked', async () => {
    const lines: string[] = [];
    const code = await runCallCommand(
      config,
      {
        to: DEMO_TENANTS[0]!.e164,
        scenario: 'book-appointment',
        url: platform.url,
        ...ADMIN,
        speed: '2',
      },
      (line) => lines.push(line),
    );
    const output = lines.join('\n');
    // Every expectation of the scenario holds, the n8n call count included (the tool's requests
    // reached the real n8n; its own execution count is checked below too).
    expect(
      lines.filter((l) => l.startsWith('  expectation not met: ')),
      output,
    ).toEqual([]);
    expect(code, output).toBe(0);
    const callId = /^call (call_\S+): completed/m.exec(output)?.[1];
    expect(callId, output).toBeDefined();

    const record = await withTenant(platform.deps.db, tenantId, async (tx) => ({
      call: (await tx.select().from(tables.calls).where(eq(tables.calls.id, callId!)))[0],
      executions: await tx
        .select()
        .from(tables.toolExecutions)
        .where(eq(tables.toolExecutions.callId, callId!)),
      agentSaid: (
        await tx
          .select({ text: tables.utterances.text, speaker: tables.utterances.speaker })
          .from(tables.utterances)
          .where(eq(tables.utterances.callId, callId!))
          .orderBy(asc(tables.utterances.seq))
      )
        .filter((u) => u.speaker === 'agent')
        .map((u) => u.text),
    }));
    // The outcome is on the call as soon as it reads as ended (same transaction).
    expect(record.call).toMatchObject({ status: 'completed', outcome: 'appointment_booked' });
    const bookings = record.executions.filter((e) => e.toolName === 'book_appointment');
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({
      status: 'succeeded',
      arguments: { service: 'cleaning', date: '2030-05-14', time: '10:30' },
      result: { confirmation, slot: '2030-05-14T10:30' },
    });
    expect(record.agentSaid.join('\n')).toContain(confirmation);
    expect(record.agentSaid.join('\n')).toContain('2030-05-14T10:30');

    // The real n8n ran the workflow once (the sandbox's emulator was not asked).
    const runs = await api.listExecutions({ workflowId: workflowId!, limit: 10 });
    expect(runs.ok && runs.value.length).toBe(1);
  }, 150_000);
});
