import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ExecutionLog, executionToApi } from './execution-log.js';
import { firstHeader, readBody, sendJson } from './http-io.js';
import {
  decodeLastIdCursor,
  decodeOffsetCursor,
  encodeCursor,
  INVALID_CURSOR,
  type LastIdCursor,
  type OffsetCursor,
  parseLimit,
} from './pagination.js';
import { webhookDefinitions } from './webhook-nodes.js';
import { validateWorkflowBody } from './workflow-body.js';
import {
  type ActivationResult,
  PROJECT_ID,
  type StoredWorkflow,
  type WorkflowStore,
  workflowToApi,
} from './workflow-store.js';

export interface PublicApiContext {
  store: WorkflowStore;
  executions: ExecutionLog;
  apiKeys: readonly string[];
  /** `2.x`: 401 `{"message":"Unauthorized"}`; `1.x`: the OpenAPI validator's wordings. */
  authWording: '2.x' | '1.x';
  testWebhookTtlMs: number;
  payloadSizeMaxBytes: number;
}

type Answer = { status: number; body: unknown };

const NOT_FOUND: Answer = { status: 404, body: { message: 'Not Found' } };
const bad = (message: string): Answer => ({ status: 400, body: { message } });

function authFailure(req: IncomingMessage, context: PublicApiContext): Answer | undefined {
  const key = firstHeader(req.headers['x-n8n-api-key']);
  if (key !== undefined && context.apiKeys.includes(key)) return undefined;
  if (context.authWording === '2.x') return { status: 401, body: { message: 'Unauthorized' } };
  return {
    status: 401,
    body: { message: key === undefined ? "'X-N8N-API-KEY' header required" : 'unauthorized' },
  };
}

/** Handles `/api/v1/*` (and the emulator-only `/__emulator/*` control routes). */
export async function handlePublicApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  context: PublicApiContext,
): Promise<void> {
  const failure = authFailure(req, context);
  if (failure) return sendJson(res, failure.status, failure.body);
  const raw = await readBody(req, context.payloadSizeMaxBytes);
  if (raw === 'too_large') return sendJson(res, 413, { message: 'request entity too large' });
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { message: 'Invalid JSON in request body' });
    }
  }
  const answer = route(req.method ?? 'GET', url, body, context);
  sendJson(res, answer.status, answer.body);
}

function route(method: string, url: URL, body: unknown, context: PublicApiContext): Answer {
  const segments = url.pathname.split('/').filter(Boolean);
  const { store } = context;
  if (segments[0] === '__emulator') {
    const [, resource, id, action] = segments;
    if (method === 'POST' && resource === 'workflows' && id && action === 'listen') {
      return store.arm(id, context.testWebhookTtlMs) ? { status: 200, body: { listening: true } } : NOT_FOUND;
    }
    return NOT_FOUND;
  }
  const [, , resource, id, action] = segments;
  if (resource === 'workflows') return workflowsRoute(method, id, action, url.searchParams, body, context);
  if (resource === 'executions' && action === undefined)
    return executionsRoute(method, id, url.searchParams, context);
  if (resource === 'credentials' && action === undefined) return credentialsRoute(method, id, body, store);
  return { status: 404, body: { message: 'not found' } };
}

function workflowsRoute(
  method: string,
  id: string | undefined,
  action: string | undefined,
  query: URLSearchParams,
  body: unknown,
  context: PublicApiContext,
): Answer {
  const { store } = context;
  if (id === undefined) {
    if (method === 'GET') return listWorkflows(query, store);
    if (method === 'POST') {
      const validated = validateWorkflowBody(body);
      if (!validated.ok) return bad(validated.message);
      return { status: 200, body: workflowToApi(store.create(validated.body)) };
    }
    return { status: 405, body: { message: 'Method Not Allowed' } };
  }
  const excludePinnedData = query.get('excludePinnedData') === 'true';
  if (action === undefined) {
    const workflow = store.workflows.get(id);
    if (!workflow) return NOT_FOUND;
    if (method === 'GET') return { status: 200, body: workflowToApi(workflow, { excludePinnedData }) };
    if (method === 'DELETE') {
      store.delete(id);
      return { status: 200, body: workflowToApi(workflow) };
    }
    if (method === 'PUT') {
      const validated = validateWorkflowBody(body);
      if (!validated.ok) return bad(validated.message);
      return activationAnswer(store.update(id, validated.body));
    }
    return { status: 405, body: { message: 'Method Not Allowed' } };
  }
  if (method !== 'POST') return { status: 405, body: { message: 'Method Not Allowed' } };
  if (action === 'activate' || action === 'publish') {
    const workflow = store.workflows.get(id);
    if (!workflow) return NOT_FOUND;
    if (!hasTrigger(workflow)) {
      return bad(
        'Workflow has no node to start the workflow - at least one trigger, poller or webhook node is required',
      );
    }
    return activationAnswer(store.activate(id));
  }
  if (action === 'deactivate' || action === 'unpublish') {
    const workflow = store.deactivate(id);
    return workflow ? { status: 200, body: workflowToApi(workflow) } : NOT_FOUND;
  }
  return { status: 404, body: { message: 'not found' } };
}

function hasTrigger(workflow: StoredWorkflow): boolean {
  return (
    webhookDefinitions(workflow).length > 0 ||
    workflow.nodes.some((node) => node.disabled !== true && /trigger/i.test(node.type ?? ''))
  );
}

function activationAnswer(result: ActivationResult): Answer {
  if (result.ok) return { status: 200, body: workflowToApi(result.workflow) };
  if (result.reason === 'not_found') return NOT_FOUND;
  return {
    status: 409,
    body: { message: 'There is a conflict with one of the webhooks.', conflicts: result.conflicts },
  };
}

function listWorkflows(query: URLSearchParams, store: WorkflowStore): Answer {
  let page: OffsetCursor;
  const cursor = query.get('cursor');
  if (cursor !== null) {
    const decoded = decodeOffsetCursor(cursor);
    if (!decoded) return bad(INVALID_CURSOR);
    page = decoded;
  } else {
    const limit = parseLimit(query.get('limit'));
    if (!limit.ok) return bad(limit.message);
    const offset = Number(query.get('offset') ?? 0);
    page = { limit: limit.limit, offset: Number.isInteger(offset) && offset > 0 ? offset : 0 };
  }
  const active = query.get('active');
  const name = query.get('name');
  const tags = query
    .get('tags')
    ?.split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  const projectId = query.get('projectId');
  const matching = [...store.workflows.values()].filter(
    (workflow) =>
      (active === null || String(workflow.active) === active) &&
      (name === null || workflow.name.toLowerCase().includes(name.toLowerCase())) &&
      (!tags?.length || tags.some((tag) => workflow.tags.includes(tag))) &&
      (projectId === null || projectId === PROJECT_ID),
  );
  const excludePinnedData = query.get('excludePinnedData') === 'true';
  const data = matching
    .slice(page.offset, page.offset + page.limit)
    .map((workflow) => workflowToApi(workflow, { excludePinnedData }));
  const nextOffset = page.offset + page.limit;
  const nextCursor =
    nextOffset < matching.length ? encodeCursor({ limit: page.limit, offset: nextOffset }) : null;
  return { status: 200, body: { data, nextCursor } };
}

const EXECUTION_STATUSES = [
  'canceled',
  'crashed',
  'error',
  'new',
  'running',
  'success',
  'unknown',
  'waiting',
];

function executionsRoute(
  method: string,
  id: string | undefined,
  query: URLSearchParams,
  context: PublicApiContext,
): Answer {
  const { executions } = context;
  const includeData = query.get('includeData') === 'true';
  if (id !== undefined) {
    const record = method === 'DELETE' ? executions.delete(id) : executions.get(id);
    if (!record || (method !== 'GET' && method !== 'DELETE')) return NOT_FOUND;
    return { status: 200, body: executionToApi(record, includeData || method === 'DELETE') };
  }
  if (method !== 'GET') return { status: 405, body: { message: 'Method Not Allowed' } };
  const status = query.get('status') ?? undefined;
  if (status !== undefined && !EXECUTION_STATUSES.includes(status)) {
    return bad(
      `request/query/status must be equal to one of the allowed values: ${EXECUTION_STATUSES.join(', ')}`,
    );
  }
  let cursor: LastIdCursor | undefined;
  const rawCursor = query.get('cursor');
  let limit: number;
  if (rawCursor !== null) {
    cursor = decodeLastIdCursor(rawCursor);
    if (!cursor) return bad(INVALID_CURSOR);
    limit = cursor.limit;
  } else {
    const parsed = parseLimit(query.get('limit'));
    if (!parsed.ok) return bad(parsed.message);
    limit = parsed.limit;
  }
  const filter = { workflowId: query.get('workflowId') ?? undefined, status };
  const { page, more } = executions.page(filter, limit, cursor?.lastId);
  const last = page.at(-1);
  return {
    status: 200,
    body: {
      data: page.map((record) => executionToApi(record, includeData)),
      nextCursor: more && last ? encodeCursor({ lastId: last.id, limit }) : null,
    },
  };
}

function credentialsRoute(
  method: string,
  id: string | undefined,
  body: unknown,
  store: WorkflowStore,
): Answer {
  if (id !== undefined) {
    if (method !== 'DELETE') return { status: 405, body: { message: 'Method Not Allowed' } };
    const credential = store.credentials.get(id);
    if (!credential) return NOT_FOUND;
    store.credentials.delete(id);
    return { status: 200, body: credentialToApi(credential) };
  }
  if (method !== 'POST') return { status: 405, body: { message: 'Method Not Allowed' } };
  const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  for (const key of ['name', 'type', 'data']) {
    if (!(key in input)) return bad(`request/body must have required property '${key}'`);
  }
  const { name, type, data } = input;
  if (typeof name !== 'string') return bad('request/body/name must be string');
  if (typeof type !== 'string') return bad('request/body/type must be string');
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return bad('request/body/data must be object');
  const credential = store.createCredential({ name, type, data: data as Record<string, unknown> });
  return { status: 200, body: credentialToApi(credential) };
}

function credentialToApi(credential: {
  id: string;
  name: string;
  type: string;
  createdAt: string;
  updatedAt: string;
}): object {
  const { id, name, type, createdAt, updatedAt } = credential;
  return { id, name, type, createdAt, updatedAt };
}
