import { withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import type { OutboundGuard } from '../../lib/ssrf.js';
import { isRecord, N8nApiClient, type N8nProblemKind } from '../../n8n/index.js';
import { findConnection } from './connection-row.js';
import type { N8nWorkflowSummary } from './connection-schemas.js';

export interface ListWorkflowsInput {
  limit: number;
  /** n8n's own cursor, passed through unchanged. */
  cursor?: string;
  active?: boolean;
  name?: string;
}

const FAILURE_CODES: Record<N8nProblemKind, ErrorCode> = {
  bad_key: 'N8N_KEY_REJECTED',
  not_found: 'N8N_NOT_N8N',
  unreachable: 'N8N_UNREACHABLE',
  not_n8n: 'N8N_NOT_N8N',
  blocked: 'OUTBOUND_URL_BLOCKED',
  bad_request: 'VALIDATION_FAILED',
};

/** One page of the connection's n8n workflows, with the webhook paths a tool can bind to. */
export async function listN8nWorkflows(
  deps: Deps,
  outbound: OutboundGuard,
  tenantId: string,
  connectionId: string,
  input: ListWorkflowsInput,
): Promise<{ items: N8nWorkflowSummary[]; nextCursor: string | null }> {
  const row = await withTenant(deps.db, tenantId, (tx) => findConnection(tx, tenantId, connectionId));
  if (row.apiKeyEncrypted === null) {
    throw new AppError(
      'N8N_API_KEY_MISSING',
      'this n8n connection has no API key; set one to list workflows',
    );
  }
  const api = new N8nApiClient({
    baseUrl: row.baseUrl,
    apiKey: deps.secrets.open(row.apiKeyEncrypted),
    fetch: outbound.fetch,
  });
  const page = await api.listWorkflows(input);
  if (!page.ok) {
    const { kind, message } = page.error;
    throw new AppError(
      FAILURE_CODES[kind],
      message,
      kind === 'bad_request' ? [{ field: 'cursor', message }] : undefined,
    );
  }
  return {
    items: page.value.data.map((w) => toSummary(row.baseUrl, w)),
    nextCursor: page.value.nextCursor,
  };
}

function toSummary(baseUrl: string, workflow: Record<string, unknown>): N8nWorkflowSummary {
  const nodes = Array.isArray(workflow.nodes) ? workflow.nodes.filter(isRecord) : [];
  const webhooks = nodes
    .filter((n) => n.type === 'n8n-nodes-base.webhook' && n.disabled !== true)
    .flatMap((n) => {
      const p = isRecord(n.parameters) ? n.parameters : {};
      const path = typeof p.path === 'string' ? p.path.replace(/^\/+/, '') : '';
      if (!path) return [];
      const methods = Array.isArray(p.httpMethod) ? p.httpMethod : [p.httpMethod ?? 'GET'];
      return methods
        .filter((m): m is string => typeof m === 'string')
        .map((method) => ({ method, path, productionUrl: `${baseUrl}/webhook/${path}` }));
    });
  const tags = Array.isArray(workflow.tags)
    ? workflow.tags.map((t) => (isRecord(t) ? t.name : t)).filter((t): t is string => typeof t === 'string')
    : [];
  return {
    id: String(workflow.id ?? ''),
    name: typeof workflow.name === 'string' ? workflow.name : '',
    active: workflow.active === true,
    tags,
    updatedAt: typeof workflow.updatedAt === 'string' ? workflow.updatedAt : null,
    webhooks,
  };
}
