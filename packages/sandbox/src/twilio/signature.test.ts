import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { bodySha256Hex, signJsonWebhook, twilioSignature } from './signature.js';

const token = '12345';
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};

describe('twilioSignature (protocols.md §1.3 vectors)', () => {
  it('signs a form-encoded webhook', () => {
    expect(twilioSignature(token, 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    );
  });

  it('signs the bodySHA256 URL with no params', () => {
    const url =
      'https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    expect(twilioSignature(token, url, {})).toBe('a9nBmqA0ju/hNViExpshrM61xv4=');
    expect(bodySha256Hex('{"property": "value", "boolean": true}')).toBe(
      '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620',
    );
  });

  it('matches the port vectors (the validator strips or adds the port)', () => {
    const signature = twilioSignature(token, 'https://mycompany.com/myapp.php?foo=1&bar=2', params);
    expect(
      twilio.validateRequest(token, signature, 'https://mycompany.com:1234/myapp.php?foo=1&bar=2', params),
    ).toBe(true);
    expect(twilioSignature(token, 'http://mycompany.com:1234/myapp.php?foo=1&bar=2', params)).toBe(
      'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
    );
  });

  it('sorts and de-duplicates multi-valued params', () => {
    const once = twilioSignature(token, 'https://x.test/a', { A: ['2', '1', '2'] });
    expect(once).toBe(twilioSignature(token, 'https://x.test/aA1A2', {}));
  });

  it('is accepted by the twilio package validators', () => {
    const url = 'http://127.0.0.1:4000/twilio/voice';
    expect(twilio.validateRequest(token, twilioSignature(token, url, params), url, params)).toBe(true);
    expect(twilio.validateRequest(token, twilioSignature('other', url, params), url, params)).toBe(false);

    const body = JSON.stringify({ CallSid: 'CA1', event: 'x' });
    const signed = signJsonWebhook(token, 'https://app.test/hook?x=1', body);
    expect(twilio.validateRequestWithBody(token, signed.signature, signed.url, body)).toBe(true);
    expect(twilio.validateRequestWithBody(token, signed.signature, signed.url, `${body} `)).toBe(false);
  });
});
