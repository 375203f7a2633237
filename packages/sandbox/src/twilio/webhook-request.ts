import { performance } from 'node:perf_hooks';
import { twilioSignature } from './signature.js';
import type { HttpMethod } from './twiml.js';

export type WebhookFailureKind = 'connect' | 'timeout' | '5xx';

/** How Twilio retries a webhook; plain data so a scenario can override part of it. */
export interface WebhookRetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  retryOn: WebhookFailureKind[];
  delayMs: number;
}

/** Twilio retries a refused connection once (two 5 s connect attempts) and nothing else. */
export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = { maxAttempts: 2, retryOn: ['connect'], delayMs: 0 };

export interface WebhookAttempt {
  url: string;
  method: HttpMethod;
  attempt: number;
  status?: number;
  failure?: WebhookFailureKind;
  error?: string;
  durationMs: number;
}

export interface TwilioError {
  code: number;
  message: string;
}

export type WebhookResult =
  | { ok: true; status: number; contentType: string; body: string; attempts: WebhookAttempt[] }
  | { ok: false; error: TwilioError; attempts: WebhookAttempt[] };

export interface WebhookRequest {
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
  authToken: string;
  timeoutMs: number;
  retry: WebhookRetryPolicy;
  /** Same value on every retry of one request, as Twilio's `I-Twilio-Idempotency-Token`. */
  idempotencyToken: string;
}

/** Sends one signed, form-encoded Twilio webhook, retrying as the policy says. */
export async function sendTwilioWebhook(request: WebhookRequest): Promise<WebhookResult> {
  const attempts: WebhookAttempt[] = [];
  const { url, body } = encode(request);
  const signature = twilioSignature(request.authToken, url, request.method === 'POST' ? request.params : {});
  let lastError: TwilioError = { code: 11200, message: 'HTTP retrieval failure' };

  for (let attempt = 1; attempt <= request.retry.maxAttempts; attempt++) {
    if (attempt > 1 && request.retry.delayMs > 0) await sleep(request.retry.delayMs);
    const started = performance.now();
    const record: WebhookAttempt = { url, method: request.method, attempt, durationMs: 0 };
    attempts.push(record);
    try {
      const res = await fetch(url, {
        method: request.method,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': request.idempotencyToken,
          'user-agent': 'TwilioProxy/1.1',
          accept: '*/*',
        },
        body,
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const text = await res.text();
      record.status = res.status;
      record.durationMs = performance.now() - started;
      if (res.ok) {
        return {
          ok: true,
          status: res.status,
          contentType: res.headers.get('content-type') ?? '',
          body: text,
          attempts,
        };
      }
      record.failure = res.status >= 500 ? '5xx' : undefined;
      lastError = { code: 11200, message: `HTTP retrieval failure: status ${res.status}` };
      if (!record.failure) break;
    } catch (err) {
      record.durationMs = performance.now() - started;
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      record.failure = timedOut ? 'timeout' : 'connect';
      record.error =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      lastError = {
        code: 11205,
        message: timedOut
          ? `HTTP connection failure: no response in ${request.timeoutMs} ms`
          : 'HTTP connection failure',
      };
    }
    if (!record.failure || !request.retry.retryOn.includes(record.failure)) break;
  }
  return { ok: false, error: lastError, attempts };
}

function encode(request: WebhookRequest): { url: string; body: string | undefined } {
  const form = new URLSearchParams(request.params).toString();
  if (request.method === 'POST') return { url: request.url, body: form };
  if (form === '') return { url: request.url, body: undefined };
  return { url: request.url + (request.url.includes('?') ? '&' : '?') + form, body: undefined };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
