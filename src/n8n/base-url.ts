import { err, ok, type Result } from '../lib/result.js';

const N8N_SUFFIX = /\/(?:api\/v1|webhook|webhook-test|rest|home\/workflows)$/i;

/**
 * The one normaliser of an n8n instance URL, for what is stored and what is called. Accepts what
 * people paste: `https://acme.app.n8n.cloud`, with or without a trailing slash, a path prefix
 * (`https://tools.example.com/n8n/`), or a copied `/api/v1`, `/webhook`, `/rest` URL. Refuses what is
 * not an http(s) URL, carries credentials, a query or a fragment; the error says why.
 */
export function normaliseBaseUrl(raw: string): Result<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return err('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return err('must be http or https');
  if (url.username || url.password) return err('must not carry credentials: use the API key field');
  if (url.search || url.hash) return err('must not have a query or fragment');
  let path = url.pathname.replace(/\/+$/, '');
  while (N8N_SUFFIX.test(path)) path = path.replace(N8N_SUFFIX, '').replace(/\/+$/, '');
  return ok(`${url.origin}${path}`);
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
