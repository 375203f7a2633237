import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionLog, N8nExecutionRecord } from './execution-log.js';
import { readBody, sendJson } from './http-io.js';
import { type PlannedResponse, responseFromNodes } from './respond-node.js';
import { scriptResponseFor } from './script-step.js';
import { renderScripted, sendWebhookResponse, WORKFLOW_ERROR } from './send-response.js';
import { checkWebhookAuth } from './webhook-auth.js';
import type { WebhookDefinition } from './webhook-nodes.js';
import type { StoredWorkflow, WorkflowStore } from './workflow-store.js';

export type WebhookKind = 'production' | 'test';

/** Every HTTP request to a webhook URL, including the rejected ones (no execution for those). */
export interface N8nWebhookCall {
  at: number;
  kind: WebhookKind;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The status answered; undefined when the connection was dropped or abandoned. */
  status: number | undefined;
  outcome: 'executed' | 'not_found' | 'auth_failed' | 'options' | 'unsupported_method' | 'too_large';
  workflowId?: string;
  executionId?: string;
}

export interface WebhookContext {
  store: WorkflowStore;
  executions: ExecutionLog;
  calls: N8nWebhookCall[];
  now: () => number;
  baseUrl: string;
  payloadSizeMaxBytes: number;
}

const METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];
const PRODUCTION_HINT =
  "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)";
const TEST_HINT =
  "Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)";

function notFoundBody(method: string, path: string, methods: string[], kind: WebhookKind): object {
  if (methods.length > 0) {
    const listed =
      methods.length === 1 ? methods[0] : `${methods.slice(0, -1).join(', ')} or ${methods.at(-1)}`;
    return {
      code: 404,
      message: `This webhook is not registered for ${method} requests. Did you mean to make a ${listed} request?`,
    };
  }
  return {
    code: 404,
    message: `The requested webhook "${method} ${path}" is not registered.`,
    hint: kind === 'production' ? PRODUCTION_HINT : TEST_HINT,
  };
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return {};
  const text = raw.toString('utf8');
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  return text;
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    result[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return result;
}

/** Answers `{base}/webhook/{path}` and `{base}/webhook-test/{path}` like n8n's webhook server. */
export async function handleWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  kind: WebhookKind,
  path: string,
  query: URLSearchParams,
  context: WebhookContext,
): Promise<void> {
  const { store } = context;
  const method = (req.method ?? 'GET').toUpperCase();
  if (kind === 'test') store.expireTestWebhooks();
  const registry = kind === 'production' ? store.live : store.test;
  const raw = await readBody(req, context.payloadSizeMaxBytes);
  const call: N8nWebhookCall = {
    at: context.now(),
    kind,
    method,
    path,
    headers: { ...req.headers },
    rawBody: raw === 'too_large' ? '' : raw.toString('utf8'),
    status: undefined,
    outcome: 'executed',
  };
  context.calls.push(call);
  const answer = (status: number, outcome: N8nWebhookCall['outcome'], body: object) => {
    call.status = status;
    call.outcome = outcome;
    sendJson(res, status, body);
  };

  if (raw === 'too_large')
    return answer(413, 'too_large', { code: 413, message: 'request entity too large' });
  if (method === 'OPTIONS') {
    const methods = registry.methodsAt(path);
    if (methods.length === 0) return answer(404, 'not_found', notFoundBody(method, path, [], kind));
    call.status = 204;
    call.outcome = 'options';
    res.writeHead(204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': ['OPTIONS', ...methods].join(', '),
      ...(req.headers['access-control-request-headers']
        ? { 'access-control-allow-headers': String(req.headers['access-control-request-headers']) }
        : {}),
    });
    res.end();
    return;
  }
  if (!METHODS.includes(method)) {
    return answer(500, 'unsupported_method', { code: 0, message: `The method ${method} is not supported.` });
  }
  const found = registry.find(method, path);
  const workflow = found ? store.workflows.get(found.registration.workflowId) : undefined;
  if (!found || !workflow) {
    return answer(404, 'not_found', notFoundBody(method, path, registry.methodsAt(path), kind));
  }
  const definition = found.registration.definition;
  call.workflowId = workflow.id;

  const auth = checkWebhookAuth(
    definition,
    req.headers,
    (type) => store.credentials.get(definition.credentialIds[type] ?? ''),
    context.now(),
  );
  if (!auth.ok) {
    call.status = auth.status;
    call.outcome = 'auth_failed';
    res.writeHead(auth.status, { 'WWW-Authenticate': 'Basic realm="Webhook"' });
    res.end(auth.message);
    return;
  }

  if (kind === 'test') store.disarm(workflow.id);
  const item: Record<string, unknown> = {
    headers: { ...req.headers },
    params: found.params,
    query: queryObject(query),
    body: parseBody(raw, req.headers['content-type']),
    webhookUrl: `${context.baseUrl}/${kind === 'production' ? 'webhook' : 'webhook-test'}/${definition.path}`,
    executionMode: kind === 'production' ? 'production' : 'test',
    ...(auth.jwtPayload ? { jwtPayload: auth.jwtPayload } : {}),
  };
  const callNumber = ++workflow.callCount;
  const execution = context.executions.start({
    workflowId: workflow.id,
    mode: kind === 'production' ? 'webhook' : 'manual',
    callNumber,
    request: {
      method,
      path,
      query: queryObject(query),
      headers: { ...req.headers },
      body: item.body,
      rawBody: call.rawBody,
      receivedAt: call.at,
    },
    item,
    lastNodeExecuted: definition.respondNode?.name ?? definition.nodeName,
  });
  call.executionId = execution.id;
  await runExecution(req, res, { workflow, definition, item, execution, call, context });
}

interface RunInput {
  workflow: StoredWorkflow;
  definition: WebhookDefinition;
  item: Record<string, unknown>;
  execution: N8nExecutionRecord;
  call: N8nWebhookCall;
  context: WebhookContext;
}

function plan(
  workflow: StoredWorkflow,
  definition: WebhookDefinition,
  item: Record<string, unknown>,
): PlannedResponse {
  if (workflow.script) {
    return {
      ok: true,
      response: renderScripted(scriptResponseFor(workflow.script, workflow.callCount), item),
    };
  }
  return responseFromNodes(definition, item);
}

async function runExecution(req: IncomingMessage, res: ServerResponse, input: RunInput): Promise<void> {
  const { definition, execution, call, context } = input;
  const planned = plan(input.workflow, definition, input.item);

  if (definition.responseMode === 'onReceived') {
    const status = definition.responseCode;
    const data = definition.responseData;
    if (data === 'noData') {
      res.writeHead(status, definition.responseHeaders);
      res.end();
    } else if (data !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...definition.responseHeaders });
      res.end(data);
    } else {
      sendJson(res, status, { message: 'Workflow was started' }, definition.responseHeaders);
    }
    call.status = status;
    execution.response = { status, delivered: true, kind: 'onReceived' };
    if (!planned.ok) context.executions.finish(execution, 'error', planned.error);
    else if (planned.response.type === 'fail')
      context.executions.finish(execution, 'error', planned.response.error ?? 'Scripted failure');
    else context.executions.finish(execution, 'success');
    return;
  }

  if (!planned.ok) {
    sendJson(res, 500, WORKFLOW_ERROR);
    call.status = 500;
    execution.response = { status: 500, delivered: true, kind: 'fail' };
    context.executions.finish(execution, 'error', planned.error);
    return;
  }
  const outcome = await sendWebhookResponse(planned.response, input.item, {
    req,
    res,
    mode: definition.responseMode === 'responseNode' ? 'responseNode' : 'lastNode',
    responseCode: definition.responseCode,
    nodeHeaders: definition.responseHeaders,
  });
  call.status = outcome.status;
  execution.response = { status: outcome.status, delivered: outcome.delivered, kind: outcome.kind };
  context.executions.finish(execution, outcome.executionStatus, outcome.error);
}
