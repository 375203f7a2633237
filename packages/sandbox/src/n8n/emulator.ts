import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenEmulator } from '../http/listen.js';
import { type ExecutionFilter, ExecutionLog, type N8nExecutionRecord } from './execution-log.js';
import { sendJson } from './http-io.js';
import { type InstalledWorkflow, installWorkflow } from './install-workflow.js';
import { handlePublicApi } from './public-api.js';
import { handleWebhook, type N8nWebhookCall, type WebhookContext } from './webhook-handler.js';
import {
  N8nWorkflowScript,
  type N8nWorkflowScriptInput,
  N8nWorkflowSpec,
  type N8nWorkflowSpecInput,
} from './workflow-script.js';
import { WorkflowStore } from './workflow-store.js';

export interface N8nEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Keys accepted in `X-N8N-API-KEY`; default `['n8n-sandbox-api-key']`. */
  apiKeys?: string[];
  /** Wording of public API auth failures: n8n 2.x (default) or 1.x. */
  apiAuthWording?: '2.x' | '1.x';
  /** How long an armed test webhook listens; n8n uses 120 s. */
  testWebhookTtlMs?: number;
  /** `N8N_PAYLOAD_SIZE_MAX`; 16 MiB by default. */
  payloadSizeMaxBytes?: number;
  now?: () => number;
}

export interface N8nEmulator {
  url: string;
  /** The first accepted public API key. */
  apiKey: string;
  close(): Promise<void>;
  /** Creates a scripted webhook workflow (and its auth credential), active unless `active: false`. */
  installWorkflow(spec: N8nWorkflowSpecInput): InstalledWorkflow;
  /** Scripts any workflow (also one created through the API), restarting its call count. */
  setWorkflowScript(workflowId: string, script: N8nWorkflowScriptInput): void;
  activate(workflowId: string): void;
  deactivate(workflowId: string): void;
  /** Arms the workflow's test URLs for one call ("Listen for test event"). */
  listenForTestEvent(workflowId: string, ttlMs?: number): void;
  createCredential(input: { name: string; type: string; data: Record<string, unknown> }): string;
  /** Executions in start order, optionally filtered. */
  executions(filter?: ExecutionFilter): readonly N8nExecutionRecord[];
  /** Every webhook HTTP request, rejected ones included, in arrival order. */
  webhookCalls(filter?: { workflowId?: string; path?: string }): readonly N8nWebhookCall[];
  /** Forgets executions and webhook calls and restarts every workflow's call count. */
  reset(): void;
}

const DEFAULT_API_KEY = 'n8n-sandbox-api-key';

export async function startN8nEmulator(options: N8nEmulatorOptions = {}): Promise<N8nEmulator> {
  const now = options.now ?? Date.now;
  const apiKeys = options.apiKeys?.length ? options.apiKeys : [DEFAULT_API_KEY];
  const payloadSizeMaxBytes = options.payloadSizeMaxBytes ?? 16 * 1024 * 1024;
  const testWebhookTtlMs = options.testWebhookTtlMs ?? 120_000;
  const store = new WorkflowStore(now);
  const executions = new ExecutionLog(now);
  const calls: N8nWebhookCall[] = [];
  let baseUrl = '';

  const request = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const [first] = url.pathname.split('/').filter(Boolean);
    if (first === 'webhook' || first === 'webhook-test') {
      const path = url.pathname.slice(first.length + 2).replace(/^\/+|\/+$/g, '');
      const context: WebhookContext = { store, executions, calls, now, baseUrl, payloadSizeMaxBytes };
      return handleWebhook(
        req,
        res,
        first === 'webhook' ? 'production' : 'test',
        path,
        url.searchParams,
        context,
      );
    }
    if (url.pathname.startsWith('/api/v1/') || first === '__emulator') {
      return handlePublicApi(req, res, url, {
        store,
        executions,
        apiKeys,
        authWording: options.apiAuthWording ?? '2.x',
        testWebhookTtlMs,
        payloadSizeMaxBytes,
      });
    }
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    sendJson(res, 404, { message: 'not found' });
  };

  const server = await listenEmulator({ request }, { host: options.host, port: options.port });
  baseUrl = server.url;
  const existing = (workflowId: string) => {
    const workflow = store.workflows.get(workflowId);
    if (!workflow) throw new Error(`n8n emulator: no workflow ${workflowId}`);
    return workflow;
  };

  return {
    url: server.url,
    apiKey: apiKeys[0] ?? DEFAULT_API_KEY,
    close: () => server.close(),
    installWorkflow: (spec) => installWorkflow(store, N8nWorkflowSpec.parse(spec), baseUrl),
    setWorkflowScript(workflowId, script) {
      const workflow = existing(workflowId);
      workflow.script = N8nWorkflowScript.parse(script);
      workflow.callCount = 0;
    },
    activate(workflowId) {
      existing(workflowId);
      const result = store.activate(workflowId);
      if (!result.ok)
        throw new Error(`n8n emulator: activating ${workflowId} conflicts with another webhook`);
    },
    deactivate(workflowId) {
      existing(workflowId);
      store.deactivate(workflowId);
    },
    listenForTestEvent(workflowId, ttlMs = testWebhookTtlMs) {
      existing(workflowId);
      store.arm(workflowId, ttlMs);
    },
    createCredential: (input) => store.createCredential(input).id,
    executions: (filter) => executions.all(filter),
    webhookCalls: (filter = {}) =>
      calls.filter(
        (call) =>
          (filter.workflowId === undefined || call.workflowId === filter.workflowId) &&
          (filter.path === undefined || call.path === filter.path.replace(/^\/+|\/+$/g, '')),
      ),
    reset() {
      executions.clear();
      calls.length = 0;
      for (const workflow of store.workflows.values()) workflow.callCount = 0;
    },
  };
}
