import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenEmulator } from '../http/listen.js';
import { incorrectApiKey, invalidUrl, missingApiKey, type OpenAIErrorAnswer } from './errors.js';
import { handleChatCompletion, type LlmLatency } from './handle-chat-completion.js';
import { readBody } from './http-io.js';
import { KeyState, type LlmRequestRecord, type LlmUsageTotals } from './key-state.js';
import type { LlmScriptInput } from './script.js';

export interface OpenAIEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Unknown keys get `defaultScript` instead of 401 `invalid_api_key`. */
  acceptAnyKey?: boolean;
  defaultScript?: LlmScriptInput;
  /** Scripts per API key, installed at start. */
  scripts?: Record<string, LlmScriptInput>;
  /** When set, requests for other models answer 404 `model_not_found`; any model otherwise. */
  models?: string[];
  /** Clock in milliseconds (timestamps in records and `created`). */
  now?: () => number;
  /**
   * Typical model latency for keys whose script faults set none: time to first token and output
   * speed (tokens per second). None by default.
   */
  latency?: LlmLatency;
  /** Waits `ms`; timers by default. Tests pass one that records the wait and returns at once. */
  delay?: (ms: number) => Promise<void>;
}

export interface OpenAIEmulator {
  /** Base URL without `/v1`: clients use `${url}/v1` as their base URL. */
  url: string;
  close(): Promise<void>;
  /** Installs (or replaces) the script for a key, restarting its fault and rule counters. */
  setScript(apiKey: string, script: LlmScriptInput): void;
  /** Forgets a key: it answers 401 again (unless `acceptAnyKey`). */
  removeKey(apiKey: string): void;
  /** Requests received for a key, oldest first. */
  requests(apiKey: string): readonly LlmRequestRecord[];
  /** Token usage summed over a key's answered requests. */
  usage(apiKey: string): LlmUsageTotals;
  /** Clears records and counters for one key, or for all. */
  reset(apiKey?: string): void;
}

export async function startOpenAIEmulator(options: OpenAIEmulatorOptions = {}): Promise<OpenAIEmulator> {
  const now = options.now ?? Date.now;
  const keys = new Map<string, KeyState>();
  for (const [key, script] of Object.entries(options.scripts ?? {})) keys.set(key, new KeyState(script));
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}sbx${(++sequence).toString(36).padStart(8, '0')}`;

  const stateFor = (apiKey: string): KeyState | undefined => {
    const known = keys.get(apiKey);
    if (known || !options.acceptAnyKey) return known;
    const created = new KeyState(options.defaultScript ?? {});
    keys.set(apiKey, created);
    return created;
  };

  const request = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = baseHeaders(nextId('req_'));
    const sendError = (answer: OpenAIErrorAnswer) => {
      res.writeHead(answer.status, { ...headers, ...answer.headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    };
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const rawBody = await readBody(req);

    const authorization = req.headers.authorization ?? '';
    const apiKey = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!apiKey) return sendError(missingApiKey());
    const state = stateFor(apiKey);
    if (!state) return sendError(incorrectApiKey(apiKey));

    if (method === 'POST' && path === '/v1/chat/completions') {
      return handleChatCompletion(res, rawBody, {
        state,
        headers,
        now,
        nextId,
        models: options.models,
        sendError,
        latency: options.latency ?? {},
        delay: options.delay,
      });
    }
    if (method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(modelList(options.models ?? ['gpt-4.1-mini', 'gpt-4o-mini'], now())));
      return;
    }
    sendError(invalidUrl(method, path));
  };

  const server = await listenEmulator({ request }, { host: options.host, port: options.port });
  const known = (apiKey: string) => keys.get(apiKey);
  return {
    url: server.url,
    close: () => server.close(),
    setScript(apiKey, script) {
      const state = keys.get(apiKey);
      if (state) state.setScript(script);
      else keys.set(apiKey, new KeyState(script));
    },
    removeKey(apiKey) {
      keys.delete(apiKey);
    },
    requests: (apiKey) => known(apiKey)?.records ?? [],
    usage: (apiKey) =>
      known(apiKey)?.usageTotals() ?? {
        requests: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
      },
    reset(apiKey) {
      if (apiKey === undefined) for (const state of keys.values()) state.reset();
      else known(apiKey)?.reset();
    },
  };
}

function baseHeaders(requestId: string): Record<string, string> {
  return {
    'x-request-id': requestId,
    'openai-version': '2020-10-01',
    'openai-organization': 'org-sandbox',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-tokens': '29999000',
    'x-ratelimit-reset-tokens': '2ms',
  };
}

function modelList(models: readonly string[], nowMs: number): object {
  return {
    object: 'list',
    data: models.map((id) => ({
      id,
      object: 'model',
      created: Math.floor(nowMs / 1000),
      owned_by: 'openai',
    })),
  };
}
