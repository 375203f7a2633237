import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from './emulator.js';
import { EmulatorRequestClient } from './rest-client.js';
import { startStreamServer } from './stream-server.test-support.js';

interface Hit {
  path: string;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  validSignature: boolean;
}
type Route = (hit: Hit, res: ServerResponse) => void | Promise<void>;

const CALLER = '+14155550123';
const NUMBER = '+14155550100';

describe('Twilio emulator: webhooks, TwiML, REST', () => {
  let emulator: TwilioEmulator;
  let app: Awaited<ReturnType<typeof startStreamServer>>;
  const hits: Hit[] = [];
  const routes = new Map<string, Route>();

  const twiml = (res: ServerResponse, xml: string) => {
    res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
  };
  const streamTwiml = (extra = '') =>
    `<Response><Connect${extra}><Stream url="${app.url}" statusCallback="${app.server.url}/stream-status">` +
    `<Parameter name="callerNumber" value="${CALLER}"/><Parameter name="tenantId" value="acme"/></Stream></Connect></Response>`;
  const hitsOn = (path: string) => hits.filter((h) => h.path === path);

  beforeAll(async () => {
    app = await startStreamServer({
      request: async (req, res, body) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const fullUrl = `${app.server.url}${req.url}`;
        const params = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : {};
        const signature = String(req.headers['x-twilio-signature'] ?? '');
        const hit = {
          path,
          params,
          headers: req.headers,
          validSignature: twilio.validateRequest(emulator.authToken, signature, fullUrl, params),
        };
        hits.push(hit);
        const route = routes.get(path);
        if (route) await route(hit, res);
        else res.writeHead(204).end();
      },
    });
    emulator = await startTwilioEmulator({
      numbers: [
        {
          phoneNumber: NUMBER,
          voiceUrl: `${app.server.url}/voice`,
          statusCallback: `${app.server.url}/status`,
        },
        { phoneNumber: '+14155550101' },
        { phoneNumber: '+14155550102' },
      ],
      callDefaults: { speed: 4 },
    });
  });
  afterEach(() => {
    hits.length = 0;
    routes.clear();
  });
  afterAll(async () => {
    await emulator.close();
    await app.close();
  });

  it('sends the signed inbound webhook, streams, and hangs up through the real twilio client', async () => {
    routes.set('/voice', (_hit, res) => twiml(res, streamTwiml()));
    const call = await emulator.placeCall({ from: CALLER, to: NUMBER });
    const socket = await app.nextSocket();

    const [voice] = hitsOn('/voice');
    expect(voice?.validSignature).toBe(true);
    expect(voice?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(voice?.params).toMatchObject({
      AccountSid: emulator.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: CALLER,
      To: NUMBER,
      Caller: CALLER,
      Called: NUMBER,
      FromCountry: 'US',
      ToCountry: 'US',
      CalledCountry: 'US',
      CallerCountry: 'US',
      FromCity: '',
    });
    expect(call.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(Object.keys(voice?.params ?? {})).toEqual(
      expect.arrayContaining(['CallToken', 'ToZip', 'CalledState']),
    );

    const start = await socket.next((m) => m.event === 'start');
    expect((start.start as { customParameters: unknown }).customParameters).toEqual({
      callerNumber: CALLER,
      tenantId: 'acme',
    });
    expect((start.start as { callSid: string }).callSid).toBe(call.callSid);

    const client = emulator.restClient();
    const redirected = await client.calls(call.callSid).update({ twiml: '<Response><Pause/></Response>' });
    expect(redirected.status).toBe('in-progress');
    expect(call.events).toContainEqual({
      type: 'rest-update',
      params: { Twiml: '<Response><Pause/></Response>' },
    });
    const updated = await client.calls(call.callSid).update({ status: 'completed' });
    expect(updated.status).toBe('completed');
    expect(await socket.next((m) => m.event === 'stop')).toMatchObject({
      stop: { accountSid: emulator.accountSid, callSid: call.callSid },
    });
    const end = await call.ended;
    expect(end).toMatchObject({ status: 'completed', endedBy: 'rest' });

    const [status] = hitsOn('/status');
    expect(status?.validSignature).toBe(true);
    expect(status?.params).toMatchObject({
      CallSid: call.callSid,
      CallStatus: 'completed',
      Caller: CALLER,
      SequenceNumber: '0',
      CallbackSource: 'call-progress-events',
    });
    expect(status?.params.Timestamp).toMatch(
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
    );
    expect(status?.params.CallDuration).toMatch(/^\d+$/);
    expect(hitsOn('/stream-status').map((h) => h.params.StreamEvent)).toEqual([
      'stream-started',
      'stream-stopped',
    ]);

    expect((await client.calls(call.callSid).fetch()).status).toBe('completed');
    const again = client.calls(call.callSid).update({ status: 'completed' });
    await expect(again).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('rejects bad credentials with Twilio error 20003', async () => {
    const client = twilio(emulator.accountSid, 'wrong-token', {
      httpClient: new EmulatorRequestClient(emulator.url),
    });
    await expect(client.incomingPhoneNumbers.list()).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it('lists numbers across pages and routes calls to an updated Voice URL', async () => {
    const client = emulator.restClient();
    const listed = await client.incomingPhoneNumbers.list({ pageSize: 1 });
    expect(listed.map((n) => n.phoneNumber)).toEqual([NUMBER, '+14155550101', '+14155550102']);
    const target = listed[1]!;
    expect(target.sid).toMatch(/^PN[0-9a-f]{32}$/);

    const updated = await client
      .incomingPhoneNumbers(target.sid)
      .update({ voiceUrl: `${app.server.url}/other` });
    expect(updated.voiceUrl).toBe(`${app.server.url}/other`);
    routes.set('/other', (_hit, res) => twiml(res, '<Response><Hangup/></Response>'));
    const call = await emulator.placeCall({ from: CALLER, to: target.phoneNumber });
    expect(await call.ended).toMatchObject({ status: 'completed', endedBy: 'twiml', detail: '<Hangup>' });
    expect(hitsOn('/other')).toHaveLength(1);
  });

  it('retries a failing webhook when told to, with the same CallSid, signature and idempotency token', async () => {
    let n = 0;
    routes.set('/voice', (_hit, res) => {
      n++;
      if (n === 1) res.writeHead(500).end('boom');
      else twiml(res, '<Response><Say>Hello there</Say><Pause length="1"/><Hangup/></Response>');
    });
    const call = await emulator.placeCall({
      from: CALLER,
      to: NUMBER,
      speed: 50,
      retry: { maxAttempts: 3, retryOn: ['5xx'] },
    });
    const end = await call.ended;
    const voice = hitsOn('/voice');
    expect(voice).toHaveLength(2);
    expect(voice[0]?.params.CallSid).toBe(voice[1]?.params.CallSid);
    expect(voice[0]?.headers['x-twilio-signature']).toBe(voice[1]?.headers['x-twilio-signature']);
    expect(voice[0]?.headers['i-twilio-idempotency-token']).toBe(
      voice[1]?.headers['i-twilio-idempotency-token'],
    );
    expect(end).toMatchObject({ status: 'completed', endedBy: 'twiml' });
    expect(call.events.filter((e) => e.type === 'say')).toEqual([{ type: 'say', text: 'Hello there' }]);
  });

  it('does not retry a 500 by default: it tries the fallback URL with ErrorCode', async () => {
    routes.set('/voice', (_hit, res) => {
      res.writeHead(500).end();
    });
    routes.set('/fallback', (_hit, res) => twiml(res, '<Response><Reject reason="busy"/></Response>'));
    const call = await emulator.placeCall({
      from: CALLER,
      to: NUMBER,
      voiceFallbackUrl: `${app.server.url}/fallback`,
    });
    expect(await call.ended).toMatchObject({ status: 'busy', endedBy: 'twiml' });
    expect(hitsOn('/voice')).toHaveLength(1);
    expect(hitsOn('/fallback')[0]?.params).toMatchObject({ ErrorCode: '11200', CallSid: call.callSid });
  });

  it('fails the call with 11205 when the webhook does not answer in time', async () => {
    routes.set('/voice', async (_hit, res) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      twiml(res, '<Response/>');
    });
    const call = await emulator.placeCall({ from: CALLER, to: NUMBER, webhookTimeoutMs: 100 });
    expect(await call.ended).toMatchObject({ status: 'failed', endedBy: 'error', error: { code: 11205 } });
  });

  it('runs <Connect action> after the application closes the stream, then <Dial><Sip> and its action', async () => {
    routes.set('/voice', (_hit, res) => twiml(res, streamTwiml(` action="${app.server.url}/after"`)));
    routes.set('/after', (_hit, res) =>
      twiml(
        res,
        `<Response><Dial action="${app.server.url}/dial-done"><Sip>sip:desk@pbx.test;transport=tls?X-Ref=42&amp;X-Tenant=acme</Sip></Dial></Response>`,
      ),
    );
    routes.set('/dial-done', (_hit, res) => twiml(res, '<Response><Hangup/></Response>'));
    const call = await emulator.placeCall({ from: CALLER, to: NUMBER });
    const socket = await app.nextSocket();
    await socket.next((m) => m.event === 'media');
    socket.ws.close(1000);
    const end = await call.ended;
    expect(end).toMatchObject({ status: 'completed', endedBy: 'twiml', detail: '<Hangup>' });
    expect(hitsOn('/after')[0]?.params).toMatchObject({ CallSid: call.callSid, CallStatus: 'in-progress' });
    expect(hitsOn('/dial-done')[0]?.params).toMatchObject({
      DialCallStatus: 'completed',
      DialSipResponseCode: '200',
      DialBridged: 'true',
    });
    const dial = call.events.find((e) => e.type === 'dial');
    expect(dial?.type === 'dial' && dial.targets[0]).toMatchObject({
      kind: 'sip',
      headers: { 'X-Ref': '42', 'X-Tenant': 'acme' },
      uriParams: { transport: 'tls' },
    });
  });

  it('sends stop when the caller hangs up', async () => {
    routes.set('/voice', (_hit, res) => twiml(res, streamTwiml()));
    const call = await emulator.placeCall({ from: CALLER, to: NUMBER });
    const session = await call.waitForStream();
    const socket = await app.nextSocket();
    await session.sleep(40);
    await call.hangup();
    expect(await socket.next((m) => m.event === 'stop')).toBeDefined();
    expect(await call.ended).toMatchObject({ endedBy: 'caller', status: 'completed' });
    expect(hitsOn('/status')[0]?.params.CallStatus).toBe('completed');
  });
});
