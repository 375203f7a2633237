import { withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { OutboundGuard } from '../../lib/ssrf.js';
import { N8nApiClient, type N8nProblemKind, normaliseBaseUrl } from '../../n8n/index.js';
import { findConnection } from './connection-row.js';
import type { ConnectionTestResult } from './connection-schemas.js';

const TEST_STATUS: Record<N8nProblemKind, ConnectionTestResult['status']> = {
  bad_key: 'bad_key',
  not_found: 'not_n8n',
  not_n8n: 'not_n8n',
  bad_request: 'not_n8n',
  unreachable: 'unreachable',
  blocked: 'blocked',
};

/** Tries n8n's public API (`GET /api/v1/workflows?limit=1`) with the given URL and key. */
export async function testN8nSettings(
  outbound: OutboundGuard,
  settings: { baseUrl: string; apiKey: string | null },
  options: { timeoutMs?: number } = {},
): Promise<ConnectionTestResult> {
  const base = normaliseBaseUrl(settings.baseUrl);
  if (!base.ok)
    return { status: 'not_n8n', message: `the base URL ${base.error}.`, httpStatus: null, latencyMs: 0 };
  if (settings.apiKey === null) {
    return {
      status: 'bad_key',
      message: 'no API key is set on this connection.',
      httpStatus: null,
      latencyMs: 0,
    };
  }
  const api = new N8nApiClient({
    baseUrl: base.value,
    apiKey: settings.apiKey,
    fetch: outbound.fetch,
    timeoutMs: options.timeoutMs,
  });
  const page = await api.listWorkflows({ limit: 1 });
  if (page.ok) {
    return {
      status: 'ok',
      message: 'connected to n8n: the API key works.',
      httpStatus: page.value.httpStatus,
      latencyMs: page.value.latencyMs,
    };
  }
  const { kind, message, httpStatus, latencyMs } = page.error;
  return { status: TEST_STATUS[kind], message, httpStatus, latencyMs };
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
