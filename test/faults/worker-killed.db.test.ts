import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTwilioSid, normalizeSpeechText, runCaller } from '@switchboard/sandbox';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../src/db/index.js';
import { reapStaleCalls } from '../../src/runtime/calls/reap-stale-calls.js';
import { AGENT_NUMBER, callRecord, startVoiceWorld, type VoiceWorld } from '../e2e/support/voice-world.js';
import { backendKind } from '../support/backend.js';
import { heardTurns } from '../support/transcripts.js';
import { databaseUrl, redisUrl, runtimeDatabaseUrl } from '../support/urls.js';
import { conversation, expectNextCallServed } from './conversation.js';
import { freePort } from './free-port.js';

// PostgreSQL + Redis only: a second process shares the system of record with this one.
const onPostgres = backendKind() === 'services';
let w: VoiceWorld;
let child: ChildProcess | undefined;
let dataDir: string | undefined;

/** A real server process (the `start` command) on the test's database and emulators. */
async function startServerProcess(world: VoiceWorld): Promise<{ process: ChildProcess; url: string }> {
  const current = (await world.backend.owner.execute(sql`select current_database() as name`)) as unknown as {
    rows: { name: string }[];
  };
  const name = current.rows[0]!.name;
  dataDir = await mkdtemp(join(tmpdir(), 'sb-killed-worker-'));
  // A free port, not a fixed one: copies of this suite in other checkouts may run at the same time.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: runtimeDatabaseUrl(name),
      DATABASE_MIGRATION_URL: databaseUrl(name),
      REDIS_URL: redisUrl(),
      SECRETS_KEY: randomBytes(32).toString('base64'),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      SANDBOX: 'off',
      SANDBOX_PROVIDER_KEYS: 'true',
      DEEPGRAM_API_KEY: 'sandbox',
      OPENAI_API_KEY: 'sandbox',
      RIME_API_KEY: 'sandbox',
      DEEPGRAM_URL: world.sandbox.deepgram.wsUrl,
      OPENAI_BASE_URL: `${world.sandbox.openai.url}/v1`,
      RIME_URL: world.sandbox.rime.url,
      RIME_WS_URL: world.sandbox.rime.wsUrl,
      TWILIO_ACCOUNT_SID: world.sandbox.twilio.accountSid,
      TWILIO_AUTH_TOKEN: world.sandbox.twilio.authToken,
      OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost',
      CALL_HEARTBEAT_MS: '300',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const up = new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Switchboard is up at')) resolve();
    });
    server.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.once('exit', (code) => reject(new Error(`server exited (${code}) before it was up: ${output}`)));
  });
  await up;
  return { process: server, url };
}

beforeAll(async () => {
  if (!onPostgres) return;
  w = await startVoiceWorld();
}, 180_000);
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await w?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(!onPostgres)('the worker process killed with SIGKILL mid-call', () => {
  it('the reaper here marks the call failed with every turn persisted up to the kill', {
    timeout: 300_000,
  }, async () => {
    const server = await startServerProcess(w);
    child = server.process;
    const scenario = await conversation(undefined, [
      { type: 'waitFor', agentSaid: 'thanks for calling acme dental', timeoutMs: 60_000 },
      { type: 'say', text: 'What time do you open?' },
      { type: 'waitFor', agentSaid: 'we open at eight', timeoutMs: 60_000 },
      // The caller stays on the line; the worker dies once the first turns are stored.
      { type: 'pause', ms: 600_000 },
    ]);
    const callSid = newTwilioSid('CA');
    w.sandbox.applyScenario(`test-${callSid}`, { ...scenario, n8n: undefined });
    const call = await w.sandbox.twilio.placeCall({
      callSid,
      from: scenario.caller.from,
      to: AGENT_NUMBER,
      voiceUrl: `${server.url}/twilio/voice`,
      speed: 2,
    });
    const caller = runCaller(call, scenario.caller);

    // The other process's progress shows only in the database: wait for the answer's turn there.
    const turnsOf = async () =>
      w.backend.owner
        .select({ id: tables.calls.id, status: tables.calls.status })
        .from(tables.calls)
        .where(eq(tables.calls.twilioCallSid, callSid));
    let callId: string | undefined;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const [row] = await turnsOf();
      callId = row?.id;
      if (callId && (await callRecord(w, callId)).utterances.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(callId).toBeDefined();
    const persistedBeforeKill = (await callRecord(w, callId!)).utterances.length;
    expect(persistedBeforeKill).toBeGreaterThanOrEqual(2);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const heard = await caller;
    await call.ended;

    // Staleness is a matter of time: sweep until the dead worker's heartbeat is older than 1 s.
    let reaped: Awaited<ReturnType<typeof reapStaleCalls>> = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      reaped = await reapStaleCalls(w.backend.deps, { staleAfterMs: 1000, ringingTimeoutMs: 600_000 });
      if (reaped.some((r) => r.id === callId)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(reaped.find((r) => r.id === callId)).toMatchObject({ reason: 'worker_lost' });
    const [row] = await w.backend.owner.select().from(tables.calls).where(eq(tables.calls.id, callId!));
    expect(row).toMatchObject({ status: 'failed', endReason: 'worker_lost' });
    const record = await callRecord(w, callId!);
    // Everything persisted before the kill is still there: the turns the caller heard first, word
    // for word (what the dead worker had not yet handed to the database is all that is missing).
    expect(record.utterances.length).toBe(persistedBeforeKill);
    const heardFirst = heardTurns(heard.transcript).slice(0, persistedBeforeKill);
    expect(record.utterances.map((u) => ({ speaker: u.speaker, text: normalizeSpeechText(u.text) }))).toEqual(
      heardFirst,
    );
    expect(record.events.map((e) => e.type)).toContain('call_reaped');

    await expectNextCallServed(w);
  });
});
