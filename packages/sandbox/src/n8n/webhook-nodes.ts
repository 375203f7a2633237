import type { WorkflowBody, WorkflowNode } from './workflow-body.js';

export const WEBHOOK_NODE = 'n8n-nodes-base.webhook';
export const RESPOND_NODE = 'n8n-nodes-base.respondToWebhook';

export type ResponseMode = 'onReceived' | 'lastNode' | 'responseNode' | 'streaming';

/** What one Webhook node registers and how it answers, read from its parameters. */
export interface WebhookDefinition {
  nodeName: string;
  nodeId: string | undefined;
  webhookId: string | undefined;
  methods: string[];
  /** The registered path: trimmed, and prefixed with `webhookId/` when it has `:params`. */
  path: string;
  isDynamic: boolean;
  authentication: string;
  /** Credential id per credential type (`httpHeaderAuth`, `httpBasicAuth`, …). */
  credentialIds: Record<string, string | undefined>;
  responseMode: ResponseMode;
  responseCode: number;
  responseHeaders: Record<string, string>;
  /** `responseData`: `firstEntryJson`/`allEntries`/`noData`/… (lastNode) or a custom body (onReceived). */
  responseData: string | undefined;
  /** The first Respond to Webhook node reachable from this node, if any. */
  respondNode: WorkflowNode | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** `options.responseCode` is a number in v1 and a fixedCollection `{values:{responseCode|customCode}}` in v2. */
function responseCodeOf(parameters: Record<string, unknown>): number {
  if (typeof parameters.responseCode === 'number') return parameters.responseCode;
  const options = isRecord(parameters.options) ? parameters.options : {};
  const option = options.responseCode;
  if (typeof option === 'number') return option;
  if (isRecord(option) && isRecord(option.values)) {
    const { customCode, responseCode } = option.values;
    if (typeof customCode === 'number' && customCode > 0) return customCode;
    if (typeof responseCode === 'number') return responseCode;
  }
  return 200;
}

export function headerEntries(options: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  const collection = options.responseHeaders;
  if (!isRecord(collection) || !Array.isArray(collection.entries)) return headers;
  for (const entry of collection.entries) {
    if (isRecord(entry) && typeof entry.name === 'string' && entry.name) {
      headers[entry.name.toLowerCase()] = String(entry.value ?? '');
    }
  }
  return headers;
}

function methodsOf(parameters: Record<string, unknown>): string[] {
  if (parameters.multipleMethods === true) {
    const methods = Array.isArray(parameters.httpMethod) ? parameters.httpMethod : ['GET', 'POST'];
    return methods.map((method) => String(method).toUpperCase());
  }
  return [typeof parameters.httpMethod === 'string' ? parameters.httpMethod.toUpperCase() : 'GET'];
}

function responseDataOf(parameters: Record<string, unknown>, mode: ResponseMode): string | undefined {
  const options = isRecord(parameters.options) ? parameters.options : {};
  if (typeof parameters.responseData === 'string') return parameters.responseData;
  if (mode === 'onReceived' && typeof options.responseData === 'string' && options.responseData) {
    return options.responseData;
  }
  if (options.noResponseBody === true) return 'noData';
  return undefined;
}

/** Nodes reachable downstream of `start` through `connections` (by node name). */
function downstreamNodes(workflow: WorkflowBody, start: string): WorkflowNode[] {
  const byName = new Map(workflow.nodes.map((node) => [node.name, node]));
  const seen = new Set<string>([start]);
  const queue = [start];
  const found: WorkflowNode[] = [];
  while (queue.length > 0) {
    const name = queue.shift() ?? '';
    const outputs = workflow.connections[name];
    const main = isRecord(outputs) && Array.isArray(outputs.main) ? outputs.main : [];
    for (const output of main) {
      for (const link of Array.isArray(output) ? output : []) {
        const target = isRecord(link) && typeof link.node === 'string' ? link.node : undefined;
        if (target === undefined || seen.has(target)) continue;
        seen.add(target);
        queue.push(target);
        const node = byName.get(target);
        if (node && node.disabled !== true) found.push(node);
      }
    }
  }
  return found;
}

/** The Webhook nodes of a workflow (disabled nodes register nothing). */
export function webhookDefinitions(workflow: WorkflowBody): WebhookDefinition[] {
  const definitions: WebhookDefinition[] = [];
  for (const node of workflow.nodes) {
    if (node.type !== WEBHOOK_NODE || node.disabled === true) continue;
    const parameters = node.parameters ?? {};
    const nodeName = node.name ?? 'Webhook';
    const rawPath = trimSlashes(
      typeof parameters.path === 'string' ? parameters.path : (node.webhookId ?? ''),
    );
    const isDynamic = rawPath.split('/').some((segment) => segment.startsWith(':'));
    const responseMode = (
      ['onReceived', 'lastNode', 'responseNode', 'streaming'].includes(String(parameters.responseMode))
        ? parameters.responseMode
        : 'onReceived'
    ) as ResponseMode;
    const credentialIds: Record<string, string | undefined> = {};
    for (const [type, reference] of Object.entries(node.credentials ?? {})) {
      credentialIds[type] =
        isRecord(reference) && typeof reference.id === 'string' ? reference.id : undefined;
    }
    definitions.push({
      nodeName,
      nodeId: node.id,
      webhookId: node.webhookId,
      methods: methodsOf(parameters),
      path: isDynamic && node.webhookId ? `${node.webhookId}/${rawPath}` : rawPath,
      isDynamic,
      authentication: typeof parameters.authentication === 'string' ? parameters.authentication : 'none',
      credentialIds,
      responseMode,
      responseCode: responseCodeOf(parameters),
      responseHeaders: headerEntries(isRecord(parameters.options) ? parameters.options : {}),
      responseData: responseDataOf(parameters, responseMode),
      respondNode: downstreamNodes(workflow, nodeName).find((candidate) => candidate.type === RESPOND_NODE),
    });
  }
  return definitions;
}
