import type { IncomingMessage } from 'node:http';

export type AuthFailure = { status: 401; body: 'missing headers' | 'invalid api key' };

/** Rime's auth errors are 401 with a short plain-text body (docs.rime.ai/docs/api-authentication). */
export const missingHeaders: AuthFailure = { status: 401, body: 'missing headers' };
export const invalidApiKey: AuthFailure = { status: 401, body: 'invalid api key' };

/**
 * The key from `Authorization: Bearer <key>` (capital B, as Rime requires). A header without the
 * Bearer scheme counts as an invalid key, as Rime documents.
 */
export function bearerKey(req: IncomingMessage): { key: string } | AuthFailure {
  const header = req.headers.authorization;
  if (!header) return missingHeaders;
  const match = /^Bearer (\S+)$/.exec(header.trim());
  return match ? { key: match[1]! } : invalidApiKey;
}
