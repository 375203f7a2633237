import type { FetchLike } from '../lib/fetch-like.js';
import { err, ok, type Result } from '../lib/result.js';
import { findOutboundBlocked } from '../lib/ssrf.js';

/**
 * Why a call to n8n's public API failed, one taxonomy for the console and the gateway:
 * `bad_key` 401/403, `not_found` 404, `not_n8n` the server is not n8n's API (HTML, redirect, odd
 * shape), `bad_request` n8n refused the request (400), `unreachable` no answer / 5xx / timeout,
 * `blocked` the SSRF guard refused the address.
 */
export type N8nProblemKind = 'bad_key' | 'not_found' | 'not_n8n' | 'bad_request' | 'unreachable' | 'blocked';

export interface N8nProblem {
  kind: N8nProblemKind;
  /** For people: what went wrong and what to do. */
  message: string;
  httpStatus: number | null;
  latencyMs: number;
}

/** A workflow as n8n's public API returns it. */
export type N8nWorkflow = Record<string, unknown>;

export interface N8nWorkflowPage {
  data: N8nWorkflow[];
  /** n8n's own cursor, passed back unchanged for the next page. */
  nextCursor: string | null;
  httpStatus: number;
  latencyMs: number;
}

export interface N8nApiClientOptions {
  /** Normalised instance URL (`normaliseBaseUrl`); the API lives at `{baseUrl}/api/v1`. */
  baseUrl: string;
  apiKey: string;
  /** The SSRF guard's fetch in the app. */
  fetch: FetchLike;
  timeoutMs?: number;
}

export const DEFAULT_N8N_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 20 * 1024 * 1024;

interface Answer {
  body: Record<string, unknown>;
  httpStatus: number;
  latencyMs: number;
}

/**
 * n8n's public REST API (`X-N8N-API-KEY`), identical on n8n Cloud and self-hosted. Never throws for
 * network trouble: every failure is an `N8nProblem`. Uses `/activate` and `/deactivate`, which n8n
 * 1.x has and 2.x keeps as aliases of publish/unpublish.
 */
export class N8nApiClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: N8nApiClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_N8N_TIMEOUT_MS;
  }

  /** One page of workflows. */
  async listWorkflows(
    query: { limit?: number; cursor?: string; active?: boolean; name?: string } = {},
  ): Promise<Result<N8nWorkflowPage, N8nProblem>> {
    const params = new URLSearchParams({ excludePinnedData: 'true' });
    if (query.limit !== undefined) params.set('limit', String(Math.min(250, query.limit)));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    if (query.active !== undefined) params.set('active', String(query.active));
    if (query.name !== undefined) params.set('name', query.name);
    const answer = await this.request('GET', `/workflows?${params}`);
    if (!answer.ok) return answer;
    const { body, httpStatus, latencyMs } = answer.value;
    if (!Array.isArray(body.data) || !('nextCursor' in body)) {
      return err({
        kind: 'not_n8n',
        message: 'the server answered, but not with an n8n workflow list: check the base URL.',
        httpStatus,
        latencyMs,
      });
    }
    const nextCursor = typeof body.nextCursor === 'string' ? body.nextCursor : null;
    return ok({ data: body.data.filter(isRecord), nextCursor, httpStatus, latencyMs });
  }

  /** Recent executions, newest first; with `includeData`, each with its run data (and error). */
  async listExecutions(
    query: {
      workflowId?: string;
      status?: 'error' | 'success' | 'waiting';
      limit?: number;
      includeData?: boolean;
    } = {},
  ): Promise<Result<N8nWorkflow[], N8nProblem>> {
    const params = new URLSearchParams();
    if (query.workflowId !== undefined) params.set('workflowId', query.workflowId);
    if (query.status !== undefined) params.set('status', query.status);
    if (query.limit !== undefined) params.set('limit', String(Math.min(250, query.limit)));
    if (query.includeData) params.set('includeData', 'true');
    const answer = await this.request('GET', `/executions?${params}`);
    if (!answer.ok) return answer;
    const { body, httpStatus, latencyMs } = answer.value;
    if (!Array.isArray(body.data)) {
      return err({
        kind: 'not_n8n',
        message: 'the server answered, but not with an n8n execution list: check the base URL.',
        httpStatus,
        latencyMs,
      });
    }
    return ok(body.data.filter(isRecord));
  }

  async getWorkflow(id: string): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('GET', `/workflows/${encodeURIComponent(id)}?excludePinnedData=true`);
  }

  /** `body` is n8n's workflow JSON: `name`, `nodes`, `connections`, `settings` and nothing read-only. */
  async createWorkflow(body: Record<string, unknown>): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('POST', '/workflows', body);
  }

  async activateWorkflow(id: string): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('POST', `/workflows/${encodeURIComponent(id)}/activate`);
  }

  async deactivateWorkflow(id: string): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('POST', `/workflows/${encodeURIComponent(id)}/deactivate`);
  }

  async deleteWorkflow(id: string): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('DELETE', `/workflows/${encodeURIComponent(id)}`);
  }

  /** `data` is write-only in n8n; e.g. `httpHeaderAuth` takes `{ name, value }`. */
  async createCredential(input: {
    name: string;
    type: string;
    data: Record<string, unknown>;
  }): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('POST', '/credentials', input);
  }

  async deleteCredential(id: string): Promise<Result<N8nWorkflow, N8nProblem>> {
    return this.body('DELETE', `/credentials/${encodeURIComponent(id)}`);
  }

  private async body(method: string, path: string, body?: unknown): Promise<Result<N8nWorkflow, N8nProblem>> {
    const answer = await this.request(method, path, body);
    return answer.ok ? ok(answer.value.body) : answer;
  }

  private async request(method: string, path: string, body?: unknown): Promise<Result<Answer, N8nProblem>> {
    const url = new URL(`${this.options.baseUrl}/api/v1${path}`);
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const res = await this.options.fetch(url.href, {
        method,
        headers: {
          'x-n8n-api-key': this.options.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await readCapped(res.body, MAX_BODY_BYTES);
      return classifyResponse(
        url,
        res.status,
        res.headers.get('content-type') ?? '',
        text,
        res.headers.get('location'),
        latency(),
      );
    } catch (error) {
      return err({ ...classifyFailure(url, error, this.timeoutMs), httpStatus: null, latencyMs: latency() });
    }
  }
}

async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) throw Object.assign(new Error('response too large'), { code: 'N8N_RESPONSE_TOO_LARGE' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Classifies an HTTP answer from what should be n8n's public API. Pure. */
export function classifyResponse(
  url: URL,
  status: number,
  contentType: string,
  text: string,
  location: string | null,
  latencyMs: number,
): Result<Answer, N8nProblem> {
  const fail = (kind: N8nProblemKind, message: string) =>
    err({ kind, message, httpStatus: status, latencyMs });
  // Key on the status, not the text: n8n 1.x and 2.x word their auth failures differently.
  if (status === 401) {
    return fail(
      'bad_key',
      'n8n rejected the API key (HTTP 401): create a key under Settings → n8n API and save it on this connection.',
    );
  }
  if (status === 403) {
    return fail(
      'bad_key',
      'n8n refused the API key (HTTP 403): the key lacks the needed scope or the public API is disabled on this plan.',
    );
  }
  if (status >= 300 && status < 400) {
    return fail(
      'not_n8n',
      `the server redirects (HTTP ${status}${location ? ` to ${location}` : ''}): use the final address as the base URL.`,
    );
  }
  if (status === 404) {
    return fail(
      'not_found',
      `nothing answers at ${url.pathname} (HTTP 404): check the base URL, or enable the n8n public API.`,
    );
  }
  if (status >= 500) {
    return fail(
      'unreachable',
      `the server answered HTTP ${status}: n8n or a proxy in front of it is failing.`,
    );
  }
  const body = parseJson(text);
  if (status === 400) {
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : 'HTTP 400';
    return fail(isRecord(body) ? 'bad_request' : 'not_n8n', `n8n refused the request: ${message}`);
  }
  if (status < 200 || status >= 300) {
    return fail('not_n8n', `unexpected HTTP ${status} from the server: it does not behave like n8n.`);
  }
  if (/html/i.test(contentType) || /^\s*</.test(text)) {
    return fail('not_n8n', 'the server answered with an HTML page, not the n8n API: check the base URL.');
  }
  if (!isRecord(body)) {
    return fail('not_n8n', 'the server answered, but not with n8n API JSON: check the base URL.');
  }
  return ok({ body, httpStatus: status, latencyMs });
}

/** Classifies a request that got no HTTP answer. Pure. */
export function classifyFailure(
  url: URL,
  error: unknown,
  timeoutMs: number,
): { kind: 'unreachable' | 'blocked' | 'not_n8n'; message: string } {
  const blocked = findOutboundBlocked(error);
  if (blocked) {
    return {
      kind: 'blocked',
      message: `${blocked.message}; an operator can allow it with OUTBOUND_ALLOWED_HOSTS.`,
    };
  }
  const code = errorCode(error);
  const hostPort = url.host;
  switch (code) {
    case 'TimeoutError':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { kind: 'unreachable', message: `no answer from ${hostPort} within ${timeoutMs / 1000} s.` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        kind: 'unreachable',
        message: `host ${url.hostname} was not found (DNS): check the base URL.`,
      };
    case 'ECONNREFUSED':
      return { kind: 'unreachable', message: `connection to ${hostPort} was refused: is n8n running there?` };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return {
        kind: 'unreachable',
        message: `the connection to ${hostPort} was dropped before n8n answered.`,
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'unreachable', message: `${hostPort} cannot be reached from this server (no route).` };
    case 'N8N_RESPONSE_TOO_LARGE':
      return { kind: 'not_n8n', message: 'the server answered with more data than an n8n page holds.' };
    default:
      if (/CERT|TLS|SSL/i.test(code)) {
        return {
          kind: 'unreachable',
          message: `TLS with ${hostPort} failed (${code}): check the certificate.`,
        };
      }
      return { kind: 'unreachable', message: `could not reach ${hostPort} (${code}).` };
  }
}

function errorCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return 'TimeoutError';
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
