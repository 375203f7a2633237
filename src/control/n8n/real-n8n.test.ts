import { afterAll, describe, expect, it } from 'vitest';
import { createOutboundGuard } from '../../lib/ssrf.js';
import { N8nApiClient, normaliseBaseUrl } from '../../n8n/index.js';
import { testN8nSettings } from './test-connection.js';

// Opt-in: runs against a real n8n (../shared/tools/n8n-up.sh starts one) when both are set.
const url = process.env.N8N_URL;
const apiKey = process.env.N8N_API_KEY;

describe.skipIf(!url || !apiKey)('real n8n public API', () => {
  const outbound = createOutboundGuard({
    allowedHosts: url ? [new URL(url).host, new URL(url).hostname] : [],
  });
  afterAll(() => outbound.close());

  it('connects with the key', async () => {
    expect(await testN8nSettings(outbound, { baseUrl: url!, apiKey: apiKey! })).toMatchObject({
      status: 'ok',
      httpStatus: 200,
    });
  });

  it('reports a wrong key as bad_key', async () => {
    expect(
      await testN8nSettings(outbound, { baseUrl: url!, apiKey: 'definitely-not-the-key' }),
    ).toMatchObject({
      status: 'bad_key',
      httpStatus: 401,
    });
  });

  it('reports a wrong base path as not_n8n', async () => {
    const result = await testN8nSettings(outbound, {
      baseUrl: `${url!.replace(/\/$/, '')}/not-n8n-here`,
      apiKey: apiKey!,
    });
    expect(result.status).toBe('not_n8n');
  });

  it('lists workflows in n8n pages', async () => {
    const base = normaliseBaseUrl(url!);
    const api = new N8nApiClient({
      baseUrl: base.ok ? base.value : url!,
      apiKey: apiKey!,
      fetch: outbound.fetch,
    });
    expect((await api.listWorkflows({ limit: 1 })).ok).toBe(true);
  });
});
