import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loadScenario,
  MediaStreamSession,
  newTwilioSid,
  runCaller,
  twilioSignature,
} from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tables } from '../../src/db/index.js';
import { readStereoWav } from '../../src/runtime/recording/stereo-recorder.js';
import { authHeaders, call } from '../support/app.js';
import { expectSameTurns } from '../support/transcripts.js';
import { callRecord, placeScenarioCall, startVoiceWorld, type VoiceWorld } from './support/voice-world.js';

let w: VoiceWorld;

beforeAll(async () => {
  w = await startVoiceWorld({ toolScenarios: ['book-appointment'] });
});
afterAll(async () => {
  await w?.close();
});

describe('an inbound sandbox call through the whole stack', () => {
  it('books an appointment: webhook → TwiML → Media Streams → engine → providers → tool → n8n → caller', async () => {
    const started = Date.now();
    const { caller, row, call } = await placeScenarioCall(w, 'book-appointment');
    const wallMs = Date.now() - started;
    expect(caller.failure, JSON.stringify(caller.transcript)).toBeUndefined();
    expect(call.outcome?.endedBy).toBe('caller');

    // The call row: who called whom, which agent version, how it ended.
    expect(row).toMatchObject({
      tenantId: w.tenantId,
      agentId: w.agentId,
      status: 'completed',
      endReason: 'caller_hangup',
      transport: 'twilio_media_streams',
      toNumber: '+15005550006',
      fromNumber: '+14155550123',
    });
    expect(row.answeredAt).not.toBeNull();
    expect(row.durationMs).toBeGreaterThan(0);

    const record = await callRecord(w, row.id);

    // Utterances in order, matching what the caller said and heard.
    expect(record.utterances.map((u) => u.seq)).toEqual(record.utterances.map((_, i) => i + 1));
    expectSameTurns(record.utterances, caller.transcript);
    const agentTexts = record.utterances.filter((u) => u.speaker === 'agent').map((u) => u.text);
    expect(agentTexts).toContain(
      "You're booked. status: booked, day: Tuesday, May 14, time: 10:30 am, confirmation: AB12. Is there anything else?",
    );
    expect(record.utterances.find((u) => u.speaker === 'caller')?.text).toBe(
      "i'd like to book a cleaning appointment next tuesday morning.",
    );
    for (const u of record.utterances) expect(u.endMs).toBeGreaterThanOrEqual(u.startMs);

    // The tool ran through the gateway to the n8n emulator, once, with the LLM's arguments.
    expect(record.toolExecutions).toHaveLength(1);
    expect(record.toolExecutions[0]).toMatchObject({
      toolName: 'book_appointment',
      status: 'succeeded',
      turn: 1,
      arguments: { service: 'cleaning', date: '2030-05-14', time: '10:30' },
    });
    expect(w.sandbox.n8n.webhookCalls({ workflowId: w.workflows['book-appointment']! })).toHaveLength(1);
    expect(record.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['call_answered', 'tool_called', 'line_ended', 'recording_saved', 'call_ended']),
    );

    // Costs for every provider, each non-zero.
    const byProvider = new Map<string, number>();
    for (const c of record.costs)
      byProvider.set(c.provider, (byProvider.get(c.provider) ?? 0) + Number(c.amountUsd));
    expect([...byProvider.keys()].sort()).toEqual(['deepgram', 'openai', 'rime', 'telephony']);
    for (const amount of byProvider.values()) expect(amount).toBeGreaterThan(0);

    // Per-turn latency on every agent answer to the caller, split into its parts.
    const answers = record.utterances.filter(
      (u, i) => u.speaker === 'agent' && record.utterances[i - 1]?.speaker === 'caller',
    );
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const answer of answers) {
      const latency = (answer.metrics as { latency?: Record<string, number | null> } | null)?.latency;
      expect(latency?.totalMs).toBeGreaterThan(0);
      expect(latency?.llmMs).toBeGreaterThan(0);
      expect(latency?.ttsMs).toBeGreaterThan(0);
      expect(latency?.sttMs).not.toBeUndefined();
    }

    // The stereo recording: caller left, agent right, as long as the media stream ran.
    expect(record.recordings).toHaveLength(1);
    const recording = record.recordings[0]!;
    expect(recording).toMatchObject({ channels: 2, sampleRate: 8000, contentType: 'audio/wav' });
    const wav = await readFile(join(w.recordingsDir, recording.storageKey));
    expect(recording.sizeBytes).toBe(wav.length);
    const { left, right } = readStereoWav(wav);
    const streamMs = caller.end.atMs;
    expect(recording.durationMs).toBeGreaterThan(streamMs - 200);
    expect(recording.durationMs).toBeLessThan(streamMs + 1000);
    expect(left.some((s) => s !== 0)).toBe(true);
    expect(right.some((s) => s !== 0)).toBe(true);

    console.info(
      JSON.stringify({
        test: 'book-appointment',
        wallMs,
        mediaMs: streamMs,
        latency: answers.map((a) => (a.metrics as { latency: unknown }).latency),
      }),
    );
  });
});

describe('the Twilio voice webhook', () => {
  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const inbound = (callSid: string, to = '+15005550006') => ({
    AccountSid: w.sandbox.twilio.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: '+14155550199',
    To: to,
  });
  const post = (path: string, params: Record<string, string>, signature?: string) =>
    w.app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
      },
      payload: form(params),
    });
  const signedPost = (path: string, params: Record<string, string>) =>
    post(path, params, twilioSignature(w.sandbox.twilio.authToken, `${w.url}${path}`, params));
  const callsBySid = async (sid: string) =>
    (await w.backend.owner.select().from(tables.calls)).filter((c) => c.twilioCallSid === sid);
  const auditCount = async () => (await w.backend.owner.select().from(tables.auditLog)).length;

  it('refuses a missing or wrong signature with 403 and writes nothing', async () => {
    const sid = newTwilioSid('CA');
    const audits = await auditCount();
    const missing = await post('/twilio/voice', inbound(sid));
    const wrong = await post('/twilio/voice', inbound(sid), 'bm90LWEtc2lnbmF0dXJl');
    const signedForAnotherUrl = await post(
      '/twilio/voice',
      inbound(sid),
      twilioSignature(w.sandbox.twilio.authToken, 'https://elsewhere.example.com/twilio/voice', inbound(sid)),
    );
    for (const res of [missing, wrong, signedForAnotherUrl]) expect(res.statusCode).toBe(403);
    expect(await callsBySid(sid)).toHaveLength(0);
    expect(await auditCount()).toBe(audits);
  });

  it('answers a Media Streams TwiML with the call id and a token, and the same TwiML when Twilio retries', async () => {
    const sid = newTwilioSid('CA');
    const first = await signedPost('/twilio/voice', inbound(sid));
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/text\/xml/);
    const [row] = await callsBySid(sid);
    expect(row).toMatchObject({ status: 'ringing', tenantId: w.tenantId, agentId: w.agentId });
    expect(first.body).toContain(`<Stream url="${w.url.replace('http', 'ws')}/twilio/media">`);
    expect(first.body).toContain(`<Parameter name="callId" value="${row!.id}"/>`);
    expect(first.body).toMatch(/<Parameter name="token" value="\d+\.[\w-]+"\/>/);
    expect(first.body).toContain(`<Connect action="${w.url}/twilio/connect-action" method="POST">`);
    const retry = await signedPost('/twilio/voice', inbound(sid));
    expect(retry.body).toBe(first.body);
    expect(await callsBySid(sid)).toHaveLength(1);
  });

  it('says sorry and hangs up for an unknown number, recording nothing under any tenant', async () => {
    const sid = newTwilioSid('CA');
    const res = await signedPost('/twilio/voice', inbound(sid, '+15005550999'));
    expect(res.body).toMatch(/<Say>Sorry, this number is not in service\. Goodbye\.<\/Say><Hangup\/>/);
    expect(await callsBySid(sid)).toHaveLength(0);
  });

  it('refuses with the reason recorded: no published version, suspended tenant, concurrent-call limit', async () => {
    const admin = w.world.as.admin;
    const t = `/api/tenants/${w.world.tenantB}`;
    const agent = (await call(w.app, admin, 'POST', `${t}/agents`, { name: 'Unpublished' })).json() as {
      id: string;
    };
    await call(w.app, admin, 'POST', `${t}/phone-numbers`, { e164: '+15005550101', agentId: agent.id });
    const unpublished = newTwilioSid('CA');
    const res = await signedPost('/twilio/voice', inbound(unpublished, '+15005550101'));
    expect(res.body).toContain('<Hangup/>');
    expect((await callsBySid(unpublished))[0]).toMatchObject({
      status: 'rejected',
      endReason: 'no_published_version',
    });

    // A published agent in tenant B, one call allowed at a time.
    await call(w.app, admin, 'PATCH', `${t}/agents/${agent.id}`, { draft: { systemPrompt: 'Hi.' } });
    expect((await call(w.app, admin, 'POST', `${t}/agents/${agent.id}/versions`)).statusCode).toBe(201);
    await call(w.app, admin, 'PATCH', t, { maxConcurrentCalls: 1 });
    const first = newTwilioSid('CA');
    const second = newTwilioSid('CA');
    expect((await signedPost('/twilio/voice', inbound(first, '+15005550101'))).body).toContain('<Stream');
    const busy = await signedPost('/twilio/voice', inbound(second, '+15005550101'));
    expect(busy.body).toContain('All our lines are busy right now.');
    expect((await callsBySid(second))[0]).toMatchObject({
      status: 'rejected',
      endReason: 'over_concurrent_limit',
    });

    await call(w.app, admin, 'PATCH', t, { status: 'suspended' });
    const suspended = newTwilioSid('CA');
    expect((await signedPost('/twilio/voice', inbound(suspended, '+15005550101'))).body).toContain(
      '<Hangup/>',
    );
    expect((await callsBySid(suspended))[0]).toMatchObject({
      status: 'rejected',
      endReason: 'tenant_suspended',
    });

    // The network's status callback: the ringing call whose media never came is over.
    const status = await signedPost('/twilio/status', {
      ...inbound(first, '+15005550101'),
      CallStatus: 'completed',
      CallDuration: '3',
    });
    expect(status.statusCode).toBe(204);
    expect((await callsBySid(first))[0]).toMatchObject({
      status: 'failed',
      endReason: 'no_media',
      telephonyStatus: 'completed',
      durationMs: 3000,
    });
  });

  it('refuses a media socket without Twilio signature, and one whose token does not match its call', async () => {
    const wsUrl = `${w.url.replace('http', 'ws')}/twilio/media`;
    const unsigned = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(unsigned).toBe(403);

    const sid = newTwilioSid('CA');
    await signedPost('/twilio/voice', inbound(sid));
    const [row] = await callsBySid(sid);
    const session = await MediaStreamSession.connect({
      url: wsUrl,
      accountSid: w.sandbox.twilio.accountSid,
      authToken: w.sandbox.twilio.authToken,
      callSid: sid,
      customParameters: { callId: row!.id, token: `${Date.now() + 60_000}.forged` },
    });
    const end = await session.ended;
    expect(end).toMatchObject({ by: 'server', code: 1008 });
    expect((await callsBySid(sid))[0]!.status).toBe('ringing');
  });
});

describe('live updates', () => {
  it('streams a running call’s events to a console user (server-sent events)', async () => {
    const scenario = await loadScenario('greeting-only');
    const callSid = newTwilioSid('CA');
    w.sandbox.applyScenario(`test-${callSid}`, { ...scenario, n8n: undefined });
    const placed = await w.sandbox.twilio.placeCall({
      callSid,
      from: scenario.caller.from,
      to: '+15005550006',
      speed: 2,
    });
    const row = (await w.backend.owner.select().from(tables.calls)).find((c) => c.twilioCallSid === callSid)!;
    const res = await fetch(`${w.url}/api/tenants/${w.tenantId}/calls/${row.id}/live`, {
      headers: authHeaders(w.world.as.viewerA),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        for (const line of decoder.decode(chunk).split('\n'))
          if (line.startsWith('event: ')) events.push(line.slice(7));
        if (events.includes('call_ended')) break;
      }
    })();
    await runCaller(placed, scenario.caller);
    await reading;
    expect(events[0]).toBe('snapshot');
    // The call may have been answered before the stream subscribed; what follows is all there.
    expect(events).toEqual(
      expect.arrayContaining(['utterance', 'line_ended', 'recording_saved', 'call_ended']),
    );
    const denied = await fetch(`${w.url}/api/tenants/${w.tenantId}/calls/${row.id}/live`, {
      headers: authHeaders(w.world.as.viewerB),
    });
    expect(denied.status).toBe(403);
  });
});

describe('operations', () => {
  // A call's end is published before its worker finishes the call's metrics and KPIs and lets go of it.
  const workerIdle = async () => {
    while (w.voice.worker.activeCalls > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it('exposes Prometheus metrics: active calls, turn latency histogram, provider errors', async () => {
    await workerIdle();
    const res = await w.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body.split('\n').find((l) => l.startsWith('switchboard_active_calls '))).toBe(
      'switchboard_active_calls 0',
    );
    expect(res.body).toMatch(/switchboard_calls_ended_total\{status="completed"\} [1-9]/);
    expect(res.body).toMatch(/switchboard_turn_latency_seconds_count [1-9]/);
    expect(res.body).toContain('# TYPE switchboard_provider_errors_total counter');
  });

  it('drains on shutdown: no new calls, the running one finishes', async () => {
    await workerIdle();
    const running = placeScenarioCall(w, 'book-appointment', { speed: 2 });
    while (w.voice.worker.activeCalls === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const drained = w.voice.worker.drain();
    const refused = newTwilioSid('CA');
    const params = {
      AccountSid: w.sandbox.twilio.accountSid,
      CallSid: refused,
      From: '+14155550100',
      To: '+15005550006',
    };
    const res = await w.app.inject({
      method: 'POST',
      url: '/twilio/voice',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(w.sandbox.twilio.authToken, `${w.url}/twilio/voice`, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
    expect(res.body).toContain('All our lines are busy right now.');
    const { row } = await running;
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    await drained;
    expect(w.voice.worker.activeCalls).toBe(0);
    const [refusedRow] = (await w.backend.owner.select().from(tables.calls)).filter(
      (c) => c.twilioCallSid === refused,
    );
    expect(refusedRow).toMatchObject({ status: 'rejected', endReason: 'worker_busy' });
  });
});
