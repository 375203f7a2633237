import type { tables } from '../db/index.js';
import type { SecretBox } from '../lib/secrets.js';

export type N8nConnectionRow = typeof tables.n8nConnections.$inferSelect;

/** A tenant's n8n instance with its credentials opened, ready to call. Never stored or logged. */
export interface N8nEndpoint {
  connectionId: string;
  /** Normalised base URL: no trailing slash, no `/api/v1` or `/webhook` suffix. */
  baseUrl: string;
  apiKey: string | undefined;
  /** The webhook authentication headers (header auth or HTTP Basic). */
  webhookHeaders: Record<string, string>;
  /** Every secret value that could appear in a request or an echoed response, for redaction. */
  secrets: string[];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const N8N_SUFFIX = /\/(?:api\/v1|webhook|webhook-test|rest|home\/workflows)$/i;

/**
 * Accepts what people paste for an instance: `https://acme.app.n8n.cloud`, with or without a trailing
 * slash, a path prefix (`https://tools.example.com/n8n/`), or a copied `/api/v1` or `/webhook` URL.
 * Returns null for anything that is not an http(s) URL without credentials.
 */
export function normalizeBaseUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  let path = url.pathname.replace(/\/+$/, '');
  while (N8N_SUFFIX.test(path)) path = path.replace(N8N_SUFFIX, '').replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** `{base}/webhook/{path}`: the production URL, live only while the workflow is active. */
export function webhookUrl(baseUrl: string, webhookPath: string): string {
  const path = webhookPath
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((segment) => encodeURIComponent(decodeURIComponentSafe(segment)).replace(/%3A/gi, ':'))
    .join('/');
  return `${baseUrl}/webhook/${path}`;
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export type OpenedEndpoint = { ok: true; endpoint: N8nEndpoint } | { ok: false; problem: string };

/** Decrypts the connection's API key and webhook credentials. */
export function openEndpoint(secrets: SecretBox, row: N8nConnectionRow): OpenedEndpoint {
  const baseUrl = normalizeBaseUrl(row.baseUrl);
  if (!baseUrl) return { ok: false, problem: 'the n8n connection has an invalid base URL' };
  try {
    const apiKey = row.apiKeyEncrypted ? secrets.open(row.apiKeyEncrypted) : undefined;
    const found: string[] = apiKey ? [apiKey] : [];
    const webhookHeaders: Record<string, string> = {};
    const auth = row.webhookAuth;
    if (auth.kind === 'header') {
      if (!HEADER_NAME.test(auth.name)) {
        return { ok: false, problem: 'the webhook auth header name is not a valid HTTP header name' };
      }
      const value = secrets.open(auth.valueEncrypted);
      webhookHeaders[auth.name.toLowerCase()] = value;
      found.push(value);
    } else if (auth.kind === 'basic') {
      const password = secrets.open(auth.passwordEncrypted);
      const token = Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64');
      webhookHeaders.authorization = `Basic ${token}`;
      found.push(password, token);
    }
    return {
      ok: true,
      endpoint: {
        connectionId: row.id,
        baseUrl,
        apiKey,
        webhookHeaders,
        secrets: found.filter((s) => s.length >= 4),
      },
    };
  } catch {
    return { ok: false, problem: 'the n8n connection credentials cannot be decrypted' };
  }
}
