import type { FetchLike, FetchResponse } from '../lib/fetch-like.js';
import { findOutboundBlocked } from '../lib/ssrf.js';
import type { Clock } from './clock.js';
import { redactText } from './redact.js';
import { parseRetryAfter } from './retry-after.js';
import type { FailureClass } from './types.js';

export type { FetchInit, FetchLike, FetchResponse } from '../lib/fetch-like.js';

export interface AttemptRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** How long this attempt may take. */
  timeoutMs: number;
  /** True when `timeoutMs` is what is left of the overall deadline rather than the tool's own timeout. */
  cutByDeadline: boolean;
  /** Aborts the attempt when the caller gives up (the call ended). */
  signal: AbortSignal | undefined;
}

export interface AttemptEnvironment {
  fetch: FetchLike;
  clock: Clock;
  /** Wall-clock ms, for `Retry-After` dates. */
  wallNow: () => number;
  maxResponseBytes: number;
  /** Values scrubbed from error details. */
  secrets: readonly string[];
}

export interface AttemptFailure {
  class: FailureClass;
  /** What n8n or the network said, redacted and short: for operators, and 4xx messages for the LLM. */
  detail?: string;
  retryAfterMs?: number;
}

export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  /** Response headers worth keeping (content type and length, Retry-After). */
  responseHeaders: Record<string, string> | null;
  /** The bytes read (at most the cap, plus the chunk that crossed it). */
  responseBody: Uint8Array | null;
  outcome: { ok: true; value: unknown } | { ok: false; failure: AttemptFailure };
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const KEPT_HEADERS = ['content-type', 'content-length', 'retry-after'];

class AttemptTimedOut extends Error {}
class AttemptCancelled extends Error {}
class BodyTooLarge extends Error {
  constructor(readonly partial: Uint8Array) {
    super('response body too large');
  }
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = current.cause;
  }
  return codes;
}

function networkFailure(err: unknown): AttemptFailure {
  const blocked = findOutboundBlocked(err);
  if (blocked) return { class: 'address_blocked', detail: blocked.message };
  const codes = errorCodes(err);
  const detail = codes[0] ?? (err instanceof Error ? err.message : String(err));
  if (codes.some((code) => CONNECT_CODES.has(code))) return { class: 'connect_error', detail };
  if (codes.some((code) => RESET_CODES.has(code))) return { class: 'connection_reset', detail };
  return { class: 'network_error', detail };
}

async function readCapped(response: FetchResponse, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLarge(new Uint8Array());
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    chunks.push(value);
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(Buffer.concat(chunks));
    }
  }
  return Buffer.concat(chunks);
}

function keptHeaders(headers: FetchResponse['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return kept;
}

/** n8n's error bodies are `{"message": …}` (plus `hint`); plain text from webhook auth failures. */
function errorDetail(body: Uint8Array, secrets: readonly string[]): string | undefined {
  const text = Buffer.from(body).toString('utf8').trim();
  if (!text) return undefined;
  let detail = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      detail = parsed.message;
    }
  } catch {}
  return redactText(detail, secrets).slice(0, 300);
}

function parseSuccess(body: Uint8Array, contentType: string): AttemptResult['outcome'] {
  const text = Buffer.from(body).toString('utf8');
  if (text.trim() === '') return { ok: true, value: null };
  const declaredJson = /[/+]json\b/i.test(contentType);
  if (!declaredJson && /^text\//i.test(contentType)) return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return declaredJson
      ? { ok: false, failure: { class: 'invalid_json', detail: 'the response body is not valid JSON' } }
      : { ok: true, value: text };
  }
}

function classifyStatus(
  status: number,
  headers: FetchResponse['headers'],
  body: Uint8Array,
  env: AttemptEnvironment,
): AttemptFailure {
  const detail = errorDetail(body, env.secrets);
  const failure = (cls: FailureClass): AttemptFailure => ({ class: cls, ...(detail ? { detail } : {}) });
  if (status === 404) return failure('workflow_inactive');
  if (status === 401 || status === 403) return failure('auth_rejected');
  // n8n (or its proxy) asking for a retry: the only answers after which a tool that is not
  // idempotent may go again.
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), env.wallNow());
    const cls = status === 429 ? 'rate_limited' : 'server_error';
    return { ...failure(cls), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status >= 500) return failure('server_error');
  return failure('client_error');
}

/** One POST to the webhook: bounded in time and in response size, every failure classified, never throws. */
export async function sendAttempt(request: AttemptRequest, env: AttemptEnvironment): Promise<AttemptResult> {
  const started = env.clock.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AttemptTimedOut()), request.timeoutMs);
  const cancel = () => controller.abort(new AttemptCancelled());
  if (request.signal?.aborted) cancel();
  request.signal?.addEventListener('abort', cancel, { once: true });

  let statusCode: number | null = null;
  let responseHeaders: Record<string, string> | null = null;
  let responseBody: Uint8Array | null = null;
  const done = (outcome: AttemptResult['outcome']): AttemptResult => ({
    statusCode,
    durationMs: Math.round(env.clock.now() - started),
    responseHeaders,
    responseBody,
    outcome,
  });

  try {
    const response = await env.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    statusCode = response.status;
    responseHeaders = keptHeaders(response.headers);
    responseBody = await readCapped(response, env.maxResponseBytes);
    if (response.status >= 200 && response.status < 300) {
      return done(parseSuccess(responseBody, response.headers.get('content-type') ?? ''));
    }
    return done({ ok: false, failure: classifyStatus(response.status, response.headers, responseBody, env) });
  } catch (err) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof AttemptTimedOut) {
      const cls = request.cutByDeadline ? 'deadline_exceeded' : 'timeout';
      const ms = Math.round(request.timeoutMs);
      return done({ ok: false, failure: { class: cls, detail: `no answer within ${ms} ms` } });
    }
    if (reason instanceof AttemptCancelled) {
      return done({ ok: false, failure: { class: 'cancelled', detail: 'the caller cancelled' } });
    }
    if (err instanceof BodyTooLarge) {
      responseBody = err.partial;
      return done({
        ok: false,
        failure: {
          class: 'response_too_large',
          detail: `the response exceeds ${env.maxResponseBytes} bytes`,
        },
      });
    }
    return done({ ok: false, failure: networkFailure(err) });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', cancel);
  }
}
