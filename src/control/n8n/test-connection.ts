import { withTenant } from '../../db/index.js';
import type { Deps } from '../../lib/deps.js';
import type { OutboundGuard } from '../../lib/ssrf.js';
import { findConnection, normaliseBaseUrl } from './connection-row.js';
import type { ConnectionTestResult } from './connection-schemas.js';
import { getN8nPage } from './n8n-api.js';

/** Tries n8n's public API (`GET /api/v1/workflows?limit=1`) with the given URL and key. */
export async function testN8nSettings(
  outbound: OutboundGuard,
  settings: { baseUrl: string; apiKey: string | null },
  options: { timeoutMs?: number } = {},
): Promise<ConnectionTestResult> {
  const base = normaliseBaseUrl(settings.baseUrl);
  if (!base.ok)
    return { status: 'not_n8n', message: `the base URL ${base.message}.`, httpStatus: null, latencyMs: 0 };
  if (settings.apiKey === null) {
    return {
      status: 'bad_key',
      message: 'no API key is set on this connection.',
      httpStatus: null,
      latencyMs: 0,
    };
  }
  const outcome = await getN8nPage(outbound, {
    baseUrl: base.url,
    apiKey: settings.apiKey,
    path: 'workflows',
    query: { limit: '1' },
    timeoutMs: options.timeoutMs,
  });
  if (outcome.kind === 'ok') {
    return {
      status: 'ok',
      message: 'connected to n8n: the API key works.',
      httpStatus: outcome.httpStatus,
      latencyMs: outcome.latencyMs,
    };
  }
  return {
    status: outcome.kind === 'bad_request' ? 'not_n8n' : outcome.kind,
    message: outcome.message,
    httpStatus: outcome.httpStatus,
    latencyMs: outcome.latencyMs,
  };
}

/** Tests a saved connection with its stored key. */
export async function testN8nConnection(
  deps: Deps,
  outbound: OutboundGuard,
  tenantId: string,
  connectionId: string,
  options: { timeoutMs?: number } = {},
): Promise<ConnectionTestResult> {
  const row = await withTenant(deps.db, tenantId, (tx) => findConnection(tx, tenantId, connectionId));
  const apiKey = row.apiKeyEncrypted === null ? null : deps.secrets.open(row.apiKeyEncrypted);
  return testN8nSettings(outbound, { baseUrl: row.baseUrl, apiKey }, options);
}
