import { findOutboundBlocked, type OutboundGuard } from '../../lib/ssrf.js';

/** How a call to an n8n public API endpoint went, classified for people and for error codes. */
export type N8nApiOutcome =
  | { kind: 'ok'; httpStatus: number; body: N8nPageBody; latencyMs: number }
  | {
      kind: 'bad_key' | 'unreachable' | 'not_n8n' | 'blocked' | 'bad_request';
      message: string;
      httpStatus: number | null;
      latencyMs: number;
    };

export interface N8nPageBody {
  data: unknown[];
  nextCursor: string | null;
}

export const DEFAULT_N8N_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** `GET {base}/api/v1/{path}?{query}` with the API key, classified. Never throws for network trouble. */
export async function getN8nPage(
  outbound: OutboundGuard,
  request: {
    baseUrl: string;
    apiKey: string;
    path: string;
    query: Record<string, string>;
    timeoutMs?: number;
  },
): Promise<N8nApiOutcome> {
  const url = new URL(`${request.baseUrl}/api/v1/${request.path}`);
  for (const [k, v] of Object.entries(request.query)) url.searchParams.set(k, v);
  const timeoutMs = request.timeoutMs ?? DEFAULT_N8N_TIMEOUT_MS;
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const res = await outbound.fetch(url, {
      headers: { 'x-n8n-api-key': request.apiKey, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
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
  } catch (err) {
    return { ...classifyFailure(url, err, timeoutMs), httpStatus: null, latencyMs: latency() };
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
): N8nApiOutcome {
  const fail = (kind: Exclude<N8nApiOutcome['kind'], 'ok'>, message: string): N8nApiOutcome => ({
    kind,
    message,
    httpStatus: status,
    latencyMs,
  });
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
      'not_n8n',
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
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : `HTTP 400`;
    return fail(isRecord(body) ? 'bad_request' : 'not_n8n', `n8n refused the request: ${message}`);
  }
  if (status !== 200)
    return fail('not_n8n', `unexpected HTTP ${status} from the server: it does not behave like n8n.`);
  if (/html/i.test(contentType) || /^\s*</.test(text)) {
    return fail('not_n8n', 'the server answered with an HTML page, not the n8n API: check the base URL.');
  }
  if (!isRecord(body) || !Array.isArray(body.data) || !('nextCursor' in body)) {
    return fail('not_n8n', 'the server answered, but not with an n8n workflow list: check the base URL.');
  }
  const nextCursor = typeof body.nextCursor === 'string' ? body.nextCursor : null;
  return { kind: 'ok', httpStatus: status, body: { data: body.data, nextCursor }, latencyMs };
}

/** Classifies a request that got no HTTP answer. Pure. */
export function classifyFailure(
  url: URL,
  err: unknown,
  timeoutMs: number,
): { kind: 'unreachable' | 'blocked' | 'not_n8n'; message: string } {
  const blocked = findOutboundBlocked(err);
  if (blocked) {
    return {
      kind: 'blocked',
      message: `${blocked.message}; an operator can allow it with OUTBOUND_ALLOWED_HOSTS.`,
    };
  }
  const code = errorCode(err);
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

function errorCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return 'TimeoutError';
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return err instanceof Error ? err.message : String(err);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
