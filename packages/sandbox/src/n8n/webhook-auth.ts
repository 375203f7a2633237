import type { IncomingHttpHeaders } from 'node:http';
import { firstHeader } from './http-io.js';
import { type JwtAlgorithm, verifyJwt } from './jwt.js';
import type { WebhookDefinition } from './webhook-nodes.js';

export interface StoredCredential {
  id: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type WebhookAuthResult =
  | { ok: true; jwtPayload?: Record<string, unknown> }
  | { ok: false; status: number; message: string };

const NOT_CONFIGURED = {
  ok: false,
  status: 500,
  message: 'No authentication data defined on node!',
} as const;
const REQUIRED = { ok: false, status: 401, message: 'Authorization is required!' } as const;
const WRONG = { ok: false, status: 403, message: 'Authorization data is wrong!' } as const;

/** Parses `Authorization: Basic …` the way the `basic-auth` package does. */
function parseBasic(header: string | undefined): { user: string; pass: string } | undefined {
  const match = /^ *[Bb][Aa][Ss][Ii][Cc] +([A-Za-z0-9._~+/-]+=*) *$/.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = /^([^:]*):(.*)$/.exec(Buffer.from(match[1], 'base64').toString('utf8'));
  return decoded ? { user: decoded[1] ?? '', pass: decoded[2] ?? '' } : undefined;
}

function text(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The Webhook node's authentication check, with n8n's statuses and plain-text messages. */
export function checkWebhookAuth(
  definition: WebhookDefinition,
  headers: IncomingHttpHeaders,
  credential: (type: string) => StoredCredential | undefined,
  nowMs: number,
): WebhookAuthResult {
  const authorization = firstHeader(headers.authorization);
  switch (definition.authentication) {
    case 'none':
      return { ok: true };
    case 'basicAuth': {
      const data = credential('httpBasicAuth')?.data ?? {};
      const user = text(data, 'user');
      const password = text(data, 'password');
      if (!user || !password) return NOT_CONFIGURED;
      const provided = parseBasic(authorization);
      if (!provided) return REQUIRED;
      if (provided.user !== user || provided.pass !== password) {
        return { ok: false, status: 401, message: 'Authentication data is wrong!' };
      }
      return { ok: true };
    }
    case 'headerAuth': {
      const data = credential('httpHeaderAuth')?.data ?? {};
      const name = text(data, 'name');
      const value = text(data, 'value');
      if (!name || !value) return NOT_CONFIGURED;
      return firstHeader(headers[name.toLowerCase()]) === value ? { ok: true } : WRONG;
    }
    case 'bearerAuth': {
      const token = text(credential('httpBearerAuth')?.data ?? {}, 'token');
      if (!token) return NOT_CONFIGURED;
      return authorization === `Bearer ${token}` ? { ok: true } : WRONG;
    }
    case 'jwtAuth': {
      const stored = credential('jwtAuth');
      if (!stored) return NOT_CONFIGURED;
      const token = authorization?.split(' ')[1];
      if (!token) return { ok: false, status: 401, message: 'No token provided' };
      const secret = text(stored.data, 'secret') ?? '';
      const algorithm = (text(stored.data, 'algorithm') ?? 'HS256') as JwtAlgorithm;
      if (!['HS256', 'HS384', 'HS512'].includes(algorithm)) {
        return { ok: false, status: 403, message: 'invalid algorithm' };
      }
      const verified = verifyJwt(token, secret, algorithm, nowMs);
      return verified.ok
        ? { ok: true, jwtPayload: verified.payload }
        : { ok: false, status: 403, message: verified.message };
    }
    default:
      return {
        ok: false,
        status: 500,
        message: `Unknown authentication mode "${definition.authentication}" configured on node!`,
      };
  }
}
