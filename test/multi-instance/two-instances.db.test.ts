import { randomBytes } from 'node:crypto';
import {
  type CallerScriptInput,
  newTwilioSid,
  parseScenario,
  runCaller,
  type Sandbox,
  startSandbox,
} from '@switchboard/sandbox';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, tables } from '../../src/db/index.js';
import { externalSandboxEnv } from '../../src/platform/sandbox-mode.js';
import { adminUrl, databaseUrl, redisUrl, runtimeDatabaseUrl } from '../support/urls.js';
import { type Instance, secretsKey, startInstance, startLoadBalancer } from './support.js';

/**
 * Two real server processes on one PostgreSQL and one Redis behind a layer-4 load balancer, as in
 * production: Twilio's webhook and its Media Streams socket may reach different instances.
 * Services backend only (the embedded default is one process by design).
 */
const services = process.env.SWITCHBOARD_TEST_BACKEND === 'services';
const NUMBER = '+15005550006';
/** `c` is one instance of two server processes (PROCESSES=2). */
const PORTS = { a: 4871, b: 4872, c: 4873 };

const caller: CallerScriptInput = {
  steps: [
    { type: 'waitFor', agentSaid: 'how can i help', timeoutMs: 15_000 },
    { type: 'say', text: "That's all, goodbye." },
    { type: 'waitFor', agentSaid: 'goodbye', timeoutMs: 15_000 },
    { type: 'hangup' },
  ],
};
const parsed = parseScenario({
  name: 'two-instances',
  description: 'The caller hears the greeting, says goodbye and hangs up.',
  caller,
  llm: {
    rules: [{ when: { userSays: ['goodbye', 'bye'] }, respond: { reply: 'Goodbye, have a nice day.' } }],
  },
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const scenario = parsed.scenario;

describe.skipIf(!services)('two instances behind a load balancer', () => {
  let sandbox: Sandbox;
  let a: Instance;
  let b: Instance;
  let c: Instance;
  let lb: Awaited<ReturnType<typeof startLoadBalancer>>;
  let owner: Awaited<ReturnType<typeof openDatabase>>;
  let admin: pg.Client;
  const dbName = `sb_test_multi_${randomBytes(4).toString('hex')}`;
  /** Where the next webhook and media socket go. */
  const routing = { webhook: 'a' as keyof typeof PORTS, media: 'b' as keyof typeof PORTS };

  beforeAll(async () => {
    sandbox = await startSandbox();
    admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`create database "${dbName}" template "${inject('pgTemplate')}"`);
    owner = await openDatabase({ kind: 'postgres', url: databaseUrl(dbName), maxConnections: 2 });
    lb = await startLoadBalancer((line) => {
      const to = line.includes('/twilio/media') ? routing.media : routing.webhook;
      return `http://127.0.0.1:${PORTS[to]}`;
    });
    const env = {
      DATABASE_URL: runtimeDatabaseUrl(dbName),
      DATABASE_MIGRATION_URL: databaseUrl(dbName),
      REDIS_URL: redisUrl(),
      PUBLIC_URL: lb.url,
      SECRETS_KEY: secretsKey(),
      ...externalSandboxEnv(sandbox),
      DRAIN_TIMEOUT_MS: '60000',
    };
    // A seeds the demo (tenants, agents, numbers); B finds it there.
    a = await startInstance('a', PORTS.a, env);
    b = await startInstance('b', PORTS.b, env);
    c = await startInstance('c', PORTS.c, { ...env, PROCESSES: '2' });
    sandbox.twilio.addNumber({
      phoneNumber: NUMBER,
      voiceUrl: `${lb.url}/twilio/voice`,
      statusCallback: `${lb.url}/twilio/status`,
    });
  }, 300_000);

  afterAll(async () => {
    await sandbox?.close();
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await lb?.close();
    await owner?.close();
    await admin?.query(`drop database if exists "${dbName}" with (force)`);
    await admin?.end();
  });

  const workerOf = (instance: Instance) => `:${instance.child.pid}/`;
  /** The pid in a call row's worker id (`host:pid/suffix`). */
  const pidOf = (workerId: string | null) => Number(/:(\d+)\//.exec(workerId ?? '')?.[1]);
  const callRow = async (callSid: string) =>
    (await owner.db.select().from(tables.calls).where(eq(tables.calls.twilioCallSid, callSid)))[0];
  const finalRow = async (callSid: string) => {
    for (let i = 0; i < 200; i++) {
      const row = await callRow(callSid);
      if (row && row.status !== 'ringing' && row.status !== 'in_progress') return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`call ${callSid} did not end`);
  };
  const place = async (options: { talk?: boolean } = {}) => {
    const callSid = newTwilioSid('CA');
    sandbox.applyScenario(`test-${callSid}`, scenario);
    const call = await sandbox.twilio.placeCall({ callSid, from: '+14155550100', to: NUMBER, speed: 1 });
    const connected = call.twiml?.some((verb) => verb.verb === 'Connect') ?? false;
    return {
      callSid,
      call,
      connected,
      talk: connected && options.talk !== false ? runCaller(call, caller) : undefined,
    };
  };

  it('runs a call on the instance its media socket reached, not the one that answered the webhook', {
    timeout: 90_000,
  }, async () => {
    Object.assign(routing, { webhook: 'a', media: 'b' });
    const { callSid, call, talk } = await place();
    const result = await talk!;
    await call.ended;
    expect(result.failure).toBeUndefined();
    const row = await finalRow(callSid);
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(row.workerId).toContain(workerOf(b));
    const utterances = await owner.db
      .select()
      .from(tables.utterances)
      .where(eq(tables.utterances.callId, row.id));
    expect(utterances.map((u) => u.text)).toContain('Goodbye, have a nice day.');
  });

  it("holds the tenant's concurrent-call limit across instances", { timeout: 90_000 }, async () => {
    const [tenant] = await owner.db
      .select()
      .from(tables.tenants)
      .where(eq(tables.tenants.slug, 'acme-dental'));
    await owner.db
      .update(tables.tenants)
      .set({ maxConcurrentCalls: 2 })
      .where(eq(tables.tenants.id, tenant!.id));
    try {
      // Webhooks alternate between the instances; four ring at once.
      const placed = [];
      for (const to of ['a', 'b', 'a', 'b'] as const) {
        routing.webhook = to;
        placed.push(place({ talk: false }));
      }
      const calls = await Promise.all(placed);
      expect(calls.filter((c) => c.connected)).toHaveLength(2);
      const refused = calls.filter((c) => !c.connected);
      for (const c of refused) {
        expect(c.call.events.find((e) => e.type === 'say')).toMatchObject({
          text: expect.stringContaining('All our lines are busy'),
        });
        expect(await finalRow(c.callSid)).toMatchObject({
          status: 'rejected',
          endReason: 'over_concurrent_limit',
        });
      }
      await Promise.all(calls.map((c) => c.call.hangup()));
    } finally {
      await owner.db
        .update(tables.tenants)
        .set({ maxConcurrentCalls: 10 })
        .where(eq(tables.tenants.id, tenant!.id));
    }
  });

  it("streams a call's live events from the other instance", { timeout: 90_000 }, async () => {
    Object.assign(routing, { webhook: 'a', media: 'a' });
    const login = await fetch(`${b.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@switchboard.local', password: 'demo-admin-password' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const [tenant] = await owner.db
      .select()
      .from(tables.tenants)
      .where(eq(tables.tenants.slug, 'acme-dental'));
    const callSid = newTwilioSid('CA');
    sandbox.applyScenario(`test-${callSid}`, scenario);
    const call = await sandbox.twilio.placeCall({ callSid, from: '+14155550100', to: NUMBER, speed: 1 });
    const row = await callRow(callSid);
    const res = await fetch(`${b.url}/api/tenants/${tenant!.id}/calls/${row!.id}/live`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    const events: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const line of decoder.decode(chunk).split('\n'))
          if (line.startsWith('event: ')) events.push(line.slice(7));
        if (events.includes('call_ended')) break;
      }
    })();
    await runCaller(call, caller);
    await reading;
    expect((await finalRow(callSid)).workerId).toContain(workerOf(a));
    expect(events).toEqual(expect.arrayContaining(['utterance', 'call_ended']));
  });

  it('drains A during a call: the call finishes with everything stored, and B serves the next', {
    timeout: 120_000,
  }, async () => {
    Object.assign(routing, { webhook: 'a', media: 'a' });
    const { callSid, call, talk } = await place();
    for (let i = 0; i < 200 && (await callRow(callSid))?.status !== 'in_progress'; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = a.stop();
    const result = await talk!;
    await call.ended;
    expect(result.failure).toBeUndefined();
    const row = await finalRow(callSid);
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const utterances = await owner.db
      .select()
      .from(tables.utterances)
      .where(eq(tables.utterances.callId, row.id));
    expect(utterances.map((u) => u.text)).toEqual(
      expect.arrayContaining(["that's all, goodbye.", 'Goodbye, have a nice day.']),
    );
    expect(await stopped).toBe(0);
    Object.assign(routing, { webhook: 'b', media: 'b' });
    const next = await place();
    expect((await next.talk!).failure).toBeUndefined();
    expect(await finalRow(next.callSid)).toMatchObject({ status: 'completed' });
  });

  it('PROCESSES=2: calls run in both processes of one instance; a killed process is replaced, and it drains to exit 0', {
    timeout: 150_000,
  }, async () => {
    Object.assign(routing, { webhook: 'c', media: 'c' });
    const talkedTo = async () => {
      const { callSid, talk } = await place();
      expect((await talk!).failure).toBeUndefined();
      const row = await finalRow(callSid);
      expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
      return pidOf(row.workerId);
    };
    // The primary hands connections out in turn, so the media sockets soon reach both processes.
    const pids = new Set<number>();
    for (let i = 0; i < 8 && pids.size < 2; i++) pids.add(await talkedTo());
    expect(pids.size).toBe(2);
    expect(pids.has(c.child.pid!)).toBe(false);

    const [killed] = pids;
    process.kill(killed!, 'SIGKILL');
    for (let i = 0; i < 300 && !/share the port[\s\S]*share the port/.test(c.output()); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(c.output()).toContain(`server process ${killed} exited (SIGKILL); starting another`);
    const after = new Set<number>();
    for (let i = 0; i < 8 && after.size < 2; i++) after.add(await talkedTo());
    expect(after.size).toBe(2);
    expect(after.has(killed!)).toBe(false);
    expect(await c.stop()).toBe(0);
  });
});
