import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../lib/secrets.js';
import { normaliseBaseUrl, webhookUrl } from './base-url.js';
import { type N8nConnectionRow, openEndpoint } from './endpoint.js';

describe('normaliseBaseUrl', () => {
  it.each([
    ['https://acme.app.n8n.cloud', 'https://acme.app.n8n.cloud'],
    ['https://acme.app.n8n.cloud/', 'https://acme.app.n8n.cloud'],
    ['  https://acme.app.n8n.cloud/api/v1/ ', 'https://acme.app.n8n.cloud'],
    ['https://acme.app.n8n.cloud/webhook', 'https://acme.app.n8n.cloud'],
    ['https://acme.app.n8n.cloud/home/workflows', 'https://acme.app.n8n.cloud'],
    ['https://tools.example.com/n8n/', 'https://tools.example.com/n8n'],
    ['https://tools.example.com/n8n/webhook-test/', 'https://tools.example.com/n8n'],
    ['http://10.0.0.5:5678', 'http://10.0.0.5:5678'],
    ['https://acme.app.n8n.cloud/rest/', 'https://acme.app.n8n.cloud'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseBaseUrl(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    'ftp://acme.app.n8n.cloud',
    'acme.app.n8n.cloud',
    'https://user:pw@acme.app.n8n.cloud',
    'http://n8n.internal:5678/?x=1#y',
    '',
  ])('refuses %j', (raw) => {
    expect(normaliseBaseUrl(raw).ok).toBe(false);
  });
});

describe('webhookUrl', () => {
  it('builds the production URL, trimming slashes and encoding segments', () => {
    expect(webhookUrl('https://acme.app.n8n.cloud', '/book-table/')).toBe(
      'https://acme.app.n8n.cloud/webhook/book-table',
    );
    expect(webhookUrl('https://x.example/n8n', 'a b/c%20d')).toBe(
      'https://x.example/n8n/webhook/a%20b/c%20d',
    );
  });
});

describe('openEndpoint', () => {
  const box = SecretBox.fromKey(randomBytes(32));
  const row = (webhookAuth: N8nConnectionRow['webhookAuth'], apiKey?: string): N8nConnectionRow => ({
    id: 'n8n_1',
    tenantId: 'tnt_1',
    name: 'main',
    baseUrl: 'https://acme.app.n8n.cloud/',
    apiKeyEncrypted: apiKey ? box.seal(apiKey) : null,
    apiKeyLast4: null,
    webhookAuth,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  it('opens header auth and lists every secret for redaction', () => {
    const opened = openEndpoint(
      box,
      row(
        { kind: 'header', name: 'X-Token', valueEncrypted: box.seal('tok-123456'), last4: '3456' },
        'api-key-1',
      ),
    );
    expect(opened).toEqual({
      ok: true,
      value: {
        connectionId: 'n8n_1',
        baseUrl: 'https://acme.app.n8n.cloud',
        apiKey: 'api-key-1',
        webhookHeaders: { 'x-token': 'tok-123456' },
        secrets: ['api-key-1', 'tok-123456'],
      },
    });
  });

  it('builds HTTP Basic', () => {
    const opened = openEndpoint(
      box,
      row({ kind: 'basic', username: 'sb', passwordEncrypted: box.seal('pw-secret'), last4: 'cret' }),
    );
    const token = Buffer.from('sb:pw-secret').toString('base64');
    expect(opened.ok && opened.value.webhookHeaders).toEqual({ authorization: `Basic ${token}` });
    expect(opened.ok && opened.value.secrets).toEqual(['pw-secret', token]);
  });

  it('reports credentials sealed with another key, and bad header names', () => {
    const other = SecretBox.fromKey(randomBytes(32));
    expect(
      openEndpoint(box, row({ kind: 'header', name: 'X-T', valueEncrypted: other.seal('v'), last4: 'v' })),
    ).toEqual({ ok: false, error: 'the n8n connection credentials cannot be decrypted' });
    expect(
      openEndpoint(
        box,
        row({ kind: 'header', name: 'Bad Header', valueEncrypted: box.seal('v'), last4: 'v' }),
      ).ok,
    ).toBe(false);
  });
});
