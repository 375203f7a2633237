import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** An error answer of the API: `{error:{code,message,requestId,details?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string }[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

const CSRF_HEADER = 'x-csrf-token';
let csrfToken: string | undefined;
let onSignedOut: ((reason: string) => void) | undefined;

/** The token the server gave at sign-in (or in /api/auth/me); sent back on every state change. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the API says the session is gone (expired or revoked) on any request. */
export function onSessionLost(handler: (reason: string) => void): void {
  onSignedOut = handler;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function withCsrf(method: string, headers: Headers): void {
  if (STATE_CHANGING.has(method.toUpperCase()) && csrfToken) headers.set(CSRF_HEADER, csrfToken);
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    body = undefined;
  }
  return apiErrorOf(response, body);
}

/** The API's `{error: {code, message, details}}` body as an ApiError (the status text without one). */
function apiErrorOf(response: Response, body: unknown): ApiError {
  const e = (body as { error?: { code?: string; message?: string; details?: unknown; requestId?: string } })
    ?.error;
  return new ApiError(
    response.status,
    e?.code ?? `HTTP_${response.status}`,
    e?.message ?? (response.statusText || `request failed (${response.status})`),
    Array.isArray(e?.details) ? (e.details as { field: string; message: string }[]) : [],
    e?.requestId,
  );
}

function noticeSessionLoss(url: string, error: ApiError): void {
  if (url.includes('/api/auth/login')) return;
  if (error.code === 'SESSION_EXPIRED' || error.code === 'UNAUTHENTICATED') onSignedOut?.(error.code);
}

const session: Middleware = {
  onRequest({ request }) {
    withCsrf(request.method, request.headers);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401) noticeSessionLoss(request.url, await errorFrom(response));
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

/** Unwraps an openapi-fetch answer: its data, or an ApiError with the API's message. */
export async function unwrap<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await result;
  // openapi-fetch has read the body already: its parsed error is the API's error body.
  if (!response.ok) throw error !== undefined ? apiErrorOf(response, error) : await errorFrom(response);
  return data as NonNullable<T>;
}

/**
 * A typed fetch for routes that the generated types do not describe yet (routes of branches being
 * merged); same CSRF and session handling as `api`.
 */
export async function apiFetch<T>(
  path: string,
  init: RequestInit & { json?: unknown; raw?: boolean } = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  const method = init.method ?? 'GET';
  withCsrf(method, headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const response = await fetch(path, { ...init, method, headers, body, credentials: 'same-origin' });
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401) noticeSessionLoss(path, error);
    throw error;
  }
  if (init.raw) return response as T;
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** The message to show for any thrown error. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
