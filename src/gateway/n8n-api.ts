import type { FetchLike, FetchResponse } from './send-attempt.js';

/** A workflow as n8n's public API lists it (the fields Switchboard uses). */
export interface N8nWorkflowSummary {
  id: string;
  name: string;
  active: boolean;
  updatedAt: string | null;
  tags: string[];
}

export type N8nApiError =
  /** 401: the API key is missing, wrong or revoked. */
  | 'unauthorized'
  /** 403: the key lacks the scope, or the plan has the API disabled. */
  | 'forbidden'
  | 'not_found'
  | 'timeout'
  | 'unreachable'
  | 'unexpected';

export type N8nApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: N8nApiError; status?: number; message?: string };

export interface N8nApiOptions {
  /** Normalised instance URL (see `normalizeBaseUrl`); the API lives at `{baseUrl}/api/v1`. */
  baseUrl: string;
  apiKey: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

function summary(raw: Record<string, unknown>): N8nWorkflowSummary {
  const tags = Array.isArray(raw.tags) ? raw.tags : [];
  return {
    id: String(raw.id),
    name: typeof raw.name === 'string' ? raw.name : '',
    active: raw.active === true,
    updatedAt: typeof raw.updatedAt === 'string' ? raw.updatedAt : null,
    tags: tags
      .map((tag: unknown) => (tag && typeof tag === 'object' && 'name' in tag ? String(tag.name) : null))
      .filter((name): name is string => name !== null),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * n8n's public REST API (`X-N8N-API-KEY`), identical on n8n Cloud and self-hosted. Uses
 * `/activate` and `/deactivate`, which n8n 1.x has and 2.x keeps as aliases of publish/unpublish.
 */
export class N8nApiClient {
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(private readonly options: N8nApiOptions) {
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async getWorkflow(id: string): Promise<N8nApiResult<N8nWorkflowSummary>> {
    const result = await this.request('GET', `/workflows/${encodeURIComponent(id)}?excludePinnedData=true`);
    return result.ok ? { ok: true, value: summary(result.value) } : result;
  }

  /** One page; pass `nextCursor` back unchanged for the next. */
  async listWorkflows(
    query: { active?: boolean; name?: string; tags?: string[]; limit?: number; cursor?: string } = {},
  ): Promise<N8nApiResult<{ data: N8nWorkflowSummary[]; nextCursor: string | null }>> {
    const params = new URLSearchParams({ excludePinnedData: 'true' });
    if (query.active !== undefined) params.set('active', String(query.active));
    if (query.name) params.set('name', query.name);
    if (query.tags?.length) params.set('tags', query.tags.join(','));
    if (query.limit) params.set('limit', String(Math.min(250, query.limit)));
    if (query.cursor) params.set('cursor', query.cursor);
    const result = await this.request('GET', `/workflows?${params}`);
    if (!result.ok) return result;
    const data = Array.isArray(result.value.data) ? result.value.data.filter(isRecord).map(summary) : [];
    const nextCursor = typeof result.value.nextCursor === 'string' ? result.value.nextCursor : null;
    return { ok: true, value: { data, nextCursor } };
  }

  /** `body` is n8n's workflow JSON: `name`, `nodes`, `connections`, `settings` and nothing read-only. */
  async createWorkflow(body: Record<string, unknown>): Promise<N8nApiResult<N8nWorkflowSummary>> {
    const result = await this.request('POST', '/workflows', body);
    return result.ok ? { ok: true, value: summary(result.value) } : result;
  }

  async activateWorkflow(id: string): Promise<N8nApiResult<N8nWorkflowSummary>> {
    const result = await this.request('POST', `/workflows/${encodeURIComponent(id)}/activate`);
    return result.ok ? { ok: true, value: summary(result.value) } : result;
  }

  async deactivateWorkflow(id: string): Promise<N8nApiResult<N8nWorkflowSummary>> {
    const result = await this.request('POST', `/workflows/${encodeURIComponent(id)}/deactivate`);
    return result.ok ? { ok: true, value: summary(result.value) } : result;
  }

  async deleteWorkflow(id: string): Promise<N8nApiResult<void>> {
    const result = await this.request('DELETE', `/workflows/${encodeURIComponent(id)}`);
    return result.ok ? { ok: true, value: undefined } : result;
  }

  /** `data` is write-only in n8n; e.g. `httpHeaderAuth` takes `{ name, value }`. */
  async createCredential(input: {
    name: string;
    type: string;
    data: Record<string, unknown>;
  }): Promise<N8nApiResult<{ id: string }>> {
    const result = await this.request('POST', '/credentials', input);
    return result.ok ? { ok: true, value: { id: String(result.value.id) } } : result;
  }

  async deleteCredential(id: string): Promise<N8nApiResult<void>> {
    const result = await this.request('DELETE', `/credentials/${encodeURIComponent(id)}`);
    return result.ok ? { ok: true, value: undefined } : result;
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<N8nApiResult<Record<string, unknown>>> {
    let response: FetchResponse;
    try {
      response = await this.fetch(`${this.options.baseUrl}/api/v1${path}`, {
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
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, error: timedOut ? 'timeout' : 'unreachable' };
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    const message = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : undefined;
    const failed = (error: N8nApiError) => ({
      ok: false as const,
      error,
      status: response.status,
      ...(message ? { message } : {}),
    });
    // Key on the status, not the text: n8n 1.x and 2.x word their auth failures differently.
    if (response.status === 401) return failed('unauthorized');
    if (response.status === 403) return failed('forbidden');
    if (response.status === 404) return failed('not_found');
    if (!response.ok || !isRecord(parsed)) return failed('unexpected');
    return { ok: true, value: parsed };
  }
}
