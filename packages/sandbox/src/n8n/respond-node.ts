import { isSimplePath, resolvePath } from './item-template.js';
import { headerEntries, type WebhookDefinition } from './webhook-nodes.js';
import type { N8nResponse } from './workflow-script.js';

/**
 * What a workflow created through the public API answers, read from its nodes. The emulator runs
 * no nodes between the Webhook and the Respond to Webhook node: their "incoming item" is the
 * webhook's output item. Expressions are supported only as `{{ $json.path }}` placeholders.
 */
export type PlannedResponse = { ok: true; response: N8nResponse } | { ok: false; error: string };

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;
const WHOLE = /^\{\{([\s\S]*?)\}\}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Evaluates an n8n parameter: a plain value, or an `=`-prefixed expression in the supported subset. */
function evaluate(
  value: unknown,
  item: unknown,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (typeof value !== 'string' || !value.startsWith('=')) return { ok: true, value };
  const expression = value.slice(1).trim();
  const whole = WHOLE.exec(expression);
  if (whole?.[1] !== undefined && isSimplePath(whole[1]))
    return { ok: true, value: resolvePath(item, whole[1]) };
  let unsupported: string | undefined;
  const text = expression.replace(PLACEHOLDER, (_match, inner: string) => {
    if (!isSimplePath(inner)) unsupported = inner;
    const resolved = resolvePath(item, inner);
    if (resolved === undefined || resolved === null) return '';
    return typeof resolved === 'object' ? JSON.stringify(resolved) : String(resolved);
  });
  if (unsupported !== undefined) {
    return {
      ok: false,
      error: `The n8n emulator only evaluates {{ $json.path }} expressions, not: ${unsupported}`,
    };
  }
  return { ok: true, value: text };
}

function respondNodeResponse(definition: WebhookDefinition, item: Record<string, unknown>): PlannedResponse {
  const node = definition.respondNode;
  if (!node) return { ok: false, error: 'No Respond to Webhook node found in the workflow' };
  const parameters = node.parameters ?? {};
  const options = isRecord(parameters.options) ? parameters.options : {};
  const status = typeof options.responseCode === 'number' ? options.responseCode : 200;
  const headers = headerEntries(options);
  const respondWith =
    typeof parameters.respondWith === 'string' ? parameters.respondWith : 'firstIncomingItem';
  switch (respondWith) {
    case 'firstIncomingItem':
      return { ok: true, response: { type: 'json', body: item, status, headers } };
    case 'allIncomingItems':
      return { ok: true, response: { type: 'json', body: [item], status, headers } };
    case 'noData':
      return { ok: true, response: { type: 'noData', status, headers } };
    case 'text': {
      const evaluated = evaluate(parameters.responseBody ?? '', item);
      if (!evaluated.ok) return evaluated;
      const body = typeof evaluated.value === 'string' ? evaluated.value : JSON.stringify(evaluated.value);
      return { ok: true, response: { type: 'text', body, status, headers } };
    }
    case 'redirect': {
      const target = evaluate(parameters.redirectURL ?? '', item);
      if (!target.ok) return target;
      return {
        ok: true,
        response: {
          type: 'text',
          body: '',
          status: status === 200 ? 307 : status,
          headers: { ...headers, location: String(target.value) },
        },
      };
    }
    case 'json': {
      const evaluated = evaluate(parameters.responseBody ?? '{}', item);
      if (!evaluated.ok) return evaluated;
      let body = evaluated.value;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          return { ok: false, error: "Invalid JSON in 'Response Body' field" };
        }
      }
      return { ok: true, response: { type: 'json', body, status, headers } };
    }
    default:
      return { ok: false, error: `The n8n emulator does not support respondWith "${respondWith}"` };
  }
}

export function responseFromNodes(
  definition: WebhookDefinition,
  item: Record<string, unknown>,
): PlannedResponse {
  if (definition.responseMode === 'responseNode') return respondNodeResponse(definition, item);
  switch (definition.responseData) {
    case 'allEntries':
      return { ok: true, response: { type: 'json', body: [item] } };
    case 'noData':
      return { ok: true, response: { type: 'noData' } };
    case 'firstEntryBinary':
      return { ok: false, error: 'The n8n emulator does not support binary responses' };
    default:
      return { ok: true, response: { type: 'json', body: item } };
  }
}
