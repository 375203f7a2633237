import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialSipTwiml } from '../twiml.js';
import { provisionLiveKit } from './provision-livekit.js';
import { callIdentityFromAttributes, SIP_HEADERS } from './sip-headers.js';

/** A stand-in for LiveKit's Twirp API: records each request and answers what LiveKit would. */
const requests: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    requests.push({ path: req.url ?? '', auth: req.headers.authorization, body });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.endsWith('/CreateSIPInboundTrunk')) {
      res.end(JSON.stringify({ sip_trunk_id: 'ST_trunk1', name: 'switchboard-twilio' }));
    } else if (req.url?.endsWith('/CreateSIPDispatchRule')) {
      res.end(JSON.stringify({ sip_dispatch_rule_id: 'SDR_rule1' }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await close();
});

describe('LiveKit SIP provisioning', () => {
  it('creates an inbound trunk mapping our x- headers, and a dispatch rule naming our agent', async () => {
    const result = await provisionLiveKit(
      { url, apiKey: 'APIkey', apiSecret: 'secret-secret-secret-secret-secret' },
      { numbers: ['+15005550006'], agentName: 'switchboard-voice', sipUsername: 'twilio', sipPassword: 'pw' },
    );
    expect(result).toEqual({ trunkId: 'ST_trunk1', dispatchRuleId: 'SDR_rule1' });
    expect(requests.map((r) => r.path)).toEqual([
      '/twirp/livekit.SIP/CreateSIPInboundTrunk',
      '/twirp/livekit.SIP/CreateSIPDispatchRule',
    ]);
    expect(requests.every((r) => r.auth?.startsWith('Bearer '))).toBe(true);
    const trunk = requests[0]!.body.trunk as Record<string, unknown>;
    expect(trunk).toMatchObject({
      name: 'switchboard-twilio',
      numbers: ['+15005550006'],
      authUsername: 'twilio',
      authPassword: 'pw',
      headersToAttributes: {
        'x-switchboard-call-id': 'switchboard.call_id',
        'x-switchboard-tenant-id': 'switchboard.tenant_id',
      },
    });
    expect(requests[1]!.body).toMatchObject({
      trunkIds: ['ST_trunk1'],
      rule: { dispatchRuleIndividual: { roomPrefix: 'call-' } },
      roomConfig: { agents: [{ agentName: 'switchboard-voice' }] },
    });
  });

  it('dials the call into LiveKit with our ids as x- headers, and reads them back from attributes', () => {
    const twiml = dialSipTwiml({
      sipUri: 'sip:+15005550006@example.sip.livekit.cloud;transport=tcp',
      headers: { [SIP_HEADERS.callId]: 'call_1', [SIP_HEADERS.tenantId]: 'tnt_1' },
      username: 'twilio',
      password: 'pw',
    });
    expect(twiml).toContain(
      '<Sip username="twilio" password="pw">sip:+15005550006@example.sip.livekit.cloud;transport=tcp?x-switchboard-call-id=call_1&amp;x-switchboard-tenant-id=tnt_1</Sip>',
    );
    expect(
      callIdentityFromAttributes({
        'switchboard.call_id': 'call_1',
        'switchboard.tenant_id': 'tnt_1',
        'sip.phoneNumber': '+14155550123',
        'sip.trunkPhoneNumber': '+15005550006',
      }),
    ).toEqual({ callId: 'call_1', tenantId: 'tnt_1', from: '+14155550123', to: '+15005550006' });
    expect(callIdentityFromAttributes({ 'sip.phoneNumber': '+14155550123' })).toBeUndefined();
  });
});
