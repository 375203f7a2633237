import type { IncomingMessage, ServerResponse } from 'node:http';
import type { N8nExecutionStatus } from './execution-log.js';
import { untilClientGone, waitWhileConnected } from './http-io.js';
import { renderJson } from './item-template.js';
import type { ResponseMode } from './webhook-nodes.js';
import type { N8nResponse } from './workflow-script.js';

export interface SendOutcome {
  /** The HTTP status sent; undefined when nothing was sent. */
  status: number | undefined;
  delivered: boolean;
  kind: N8nResponse['type'];
  executionStatus: N8nExecutionStatus;
  error?: string;
}

export interface SendContext {
  req: IncomingMessage;
  res: ServerResponse;
  mode: Exclude<ResponseMode, 'onReceived'>;
  /** The Webhook node's configured response code and headers. */
  responseCode: number;
  nodeHeaders: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
export const WORKFLOW_ERROR = { message: 'Error in workflow' };

/** Renders `{{…}}` templates of a scripted `json` body against the webhook item. */
export function renderScripted(response: N8nResponse, item: unknown): N8nResponse {
  return response.type === 'json' ? { ...response, body: renderJson(response.body, item) } : response;
}

function oversizedBody(bytes: number): string {
  const frame = '{"data":""}';
  return `{"data":"${'x'.repeat(Math.max(0, bytes - frame.length))}"}`;
}

/** Sends one planned response for the `lastNode`/`responseNode` modes, applying delay and faults. */
export async function sendWebhookResponse(
  response: N8nResponse,
  item: Record<string, unknown>,
  context: SendContext,
): Promise<SendOutcome> {
  const { res } = context;
  const kind = response.type;
  if (response.type === 'hang') {
    await untilClientGone(res);
    return {
      status: undefined,
      delivered: false,
      kind,
      executionStatus: 'canceled',
      error: 'The caller gave up',
    };
  }
  if (response.delayMs && !(await waitWhileConnected(res, response.delayMs))) {
    return {
      status: undefined,
      delivered: false,
      kind,
      executionStatus: kind === 'fail' ? 'error' : 'success',
    };
  }
  if (response.type === 'drop') {
    context.req.socket.destroy();
    return {
      status: undefined,
      delivered: false,
      kind,
      executionStatus: 'crashed',
      error: 'Connection dropped',
    };
  }
  const status = response.status ?? (kind === 'fail' ? 500 : context.responseCode);
  const headers = { ...context.nodeHeaders, ...lowerKeys(response.headers ?? {}) };
  const send = (contentType: string | undefined, body: string) => {
    const all =
      contentType && !headers['content-type'] ? { ...headers, 'content-type': contentType } : headers;
    res.writeHead(status, all);
    res.end(body);
  };
  const done = (executionStatus: N8nExecutionStatus, error?: string): SendOutcome => ({
    status,
    delivered: true,
    kind,
    executionStatus,
    ...(error === undefined ? {} : { error }),
  });
  switch (response.type) {
    case 'json':
      send(JSON_TYPE, JSON.stringify(response.body ?? null));
      return done('success');
    case 'echo':
      send(JSON_TYPE, JSON.stringify(item.body ?? {}));
      return done('success');
    case 'text':
      send(response.contentType ?? 'text/plain; charset=utf-8', response.body);
      return done('success');
    case 'fail': {
      const body = response.body ?? WORKFLOW_ERROR;
      if (typeof body === 'string') send('text/plain; charset=utf-8', body);
      else send(JSON_TYPE, JSON.stringify(body));
      // n8n answers a workflow that threw with a bare "Error in workflow"; the thrown message is
      // only on the execution, where the public API shows it.
      return done('error', response.error ?? 'Scripted failure');
    }
    case 'invalidJson':
      send(JSON_TYPE, '{"ok":true,"data":{"unterminated":');
      return done('success');
    case 'oversized':
      send(JSON_TYPE, oversizedBody(response.bytes));
      return done('success');
    case 'noData':
      if (context.mode === 'lastNode') {
        send(
          JSON_TYPE,
          JSON.stringify({
            message: 'Workflow executed successfully but the last node did not return any data',
          }),
        );
      } else {
        send(undefined, '');
      }
      return done('success');
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
