import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { parseTwiml } from './twiml.js';

describe('parseTwiml', () => {
  it('reads <Connect><Stream> with <Parameter>s, as built by the twilio package', () => {
    const response = new twilio.twiml.VoiceResponse();
    const connect = response.connect({ action: 'https://app.test/after', method: 'POST' });
    const stream = connect.stream({
      url: 'wss://agent.test/media',
      name: 'agent',
      statusCallback: 'https://app.test/s',
    });
    stream.parameter({ name: 'callerNumber', value: '+14155550123' });
    stream.parameter({ name: 'tenant', value: 'a&b "c"' });
    const parsed = parseTwiml(response.toString());
    expect(parsed).toEqual({
      ok: true,
      verbs: [
        {
          verb: 'Connect',
          action: 'https://app.test/after',
          method: 'POST',
          stream: {
            url: 'wss://agent.test/media',
            name: 'agent',
            track: undefined,
            statusCallback: 'https://app.test/s',
            statusCallbackMethod: 'POST',
            parameters: { callerNumber: '+14155550123', tenant: 'a&b "c"' },
          },
        },
      ],
    });
  });

  it('reads <Say>, <Pause>, <Hangup>, <Reject>, <Redirect>', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <!-- greeting -->
      <Response><Say voice="alice">Hello &amp; welcome</Say><Pause length="2"/>
      <Redirect method="GET">https://app.test/next</Redirect><Reject reason="busy"/><Hangup/></Response>`;
    const parsed = parseTwiml(xml);
    expect(parsed.ok && parsed.verbs).toEqual([
      { verb: 'Say', text: 'Hello & welcome', voice: 'alice', language: undefined, loop: 1 },
      { verb: 'Pause', lengthSec: 2 },
      { verb: 'Redirect', url: 'https://app.test/next', method: 'GET' },
      { verb: 'Reject', reason: 'busy' },
      { verb: 'Hangup' },
    ]);
  });

  it('reads <Dial><Sip> with headers and URI parameters', () => {
    const xml = `<Response><Dial answerOnBridge="true" action="https://app.test/dial-done" timeout="30">
      <Sip username="agent" password="s3cret" statusCallbackEvent="initiated answered">sip:agent@pbx.test;transport=tls?X-Tenant=acme&amp;X-Call-Ref=123</Sip>
      </Dial></Response>`;
    const parsed = parseTwiml(xml);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const dial = parsed.verbs[0];
    expect(dial?.verb).toBe('Dial');
    if (dial?.verb !== 'Dial') return;
    expect(dial.action).toBe('https://app.test/dial-done');
    expect(dial.attributes.answerOnBridge).toBe('true');
    expect(dial.targets).toEqual([
      {
        kind: 'sip',
        uri: 'sip:agent@pbx.test;transport=tls?X-Tenant=acme&X-Call-Ref=123',
        address: 'sip:agent@pbx.test;transport=tls',
        uriParams: { transport: 'tls' },
        headers: { 'X-Tenant': 'acme', 'X-Call-Ref': '123' },
        username: 'agent',
        password: 's3cret',
        statusCallback: undefined,
        statusCallbackEvent: ['initiated', 'answered'],
      },
    ]);
  });

  it('rejects what the live service rejects', () => {
    const stream = (url: string) => `<Response><Connect><Stream url="${url}"/></Connect></Response>`;
    expect(parseTwiml(stream('https://agent.test/media'))).toMatchObject({
      ok: false,
      error: { code: 31922 },
    });
    expect(parseTwiml(stream('ws://agent.test/media'))).toMatchObject({ ok: false, error: { code: 31922 } });
    expect(parseTwiml(stream('wss://agent.test/media?x=1'))).toMatchObject({
      ok: false,
      error: { code: 12100 },
    });
    expect(parseTwiml(stream('ws://127.0.0.1:9/media'), { requireWss: true })).toMatchObject({ ok: false });
    expect(parseTwiml(stream('ws://127.0.0.1:9/media'))).toMatchObject({ ok: true });
    expect(parseTwiml('<Response><Say>unclosed</Response>')).toMatchObject({
      ok: false,
      error: { code: 12100 },
    });
    expect(parseTwiml('<Other/>')).toMatchObject({ ok: false, error: { code: 12100 } });
    expect(parseTwiml('<Response><Gather/></Response>')).toMatchObject({ ok: false, error: { code: 12100 } });
    expect(parseTwiml('not xml at all')).toMatchObject({ ok: false, error: { code: 12100 } });
  });
});
