import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

export type JwtResult = { ok: true; payload: Record<string, unknown> } | { ok: false; message: string };

const HASH: Record<JwtAlgorithm, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** HMAC JWT verification with the error texts of the `jsonwebtoken` package n8n uses. */
export function verifyJwt(token: string, secret: string, algorithm: JwtAlgorithm, nowMs: number): JwtResult {
  const parts = token.split('.');
  const [headerPart, payloadPart, signature] = parts;
  if (
    parts.length !== 3 ||
    headerPart === undefined ||
    payloadPart === undefined ||
    signature === undefined
  ) {
    return { ok: false, message: 'jwt malformed' };
  }
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (!header || !payload) return { ok: false, message: 'invalid token' };
  if (header.alg !== algorithm) return { ok: false, message: 'invalid algorithm' };
  if (signature === '') return { ok: false, message: 'jwt signature is required' };
  const expected = createHmac(HASH[algorithm], secret).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, message: 'invalid signature' };
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  if (typeof payload.nbf === 'number' && payload.nbf > nowSeconds)
    return { ok: false, message: 'jwt not active' };
  if (typeof payload.exp === 'number' && nowSeconds >= payload.exp)
    return { ok: false, message: 'jwt expired' };
  return { ok: true, payload };
}

/** Signs an HMAC JWT; for tests and for callers of the emulator. */
export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  algorithm: JwtAlgorithm = 'HS256',
): string {
  const header = Buffer.from(JSON.stringify({ alg: algorithm, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac(HASH[algorithm], secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}
