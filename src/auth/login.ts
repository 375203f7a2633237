import { recordAudit } from '../audit/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { createSession, type NewSession } from './sessions.js';
import { sha256 } from './tokens.js';
import { findUserByEmail, normaliseEmail } from './users.js';

export interface LoginLimits {
  maxAttempts: number;
  windowMs: number;
  sessionTtlMs: number;
}

export interface LoginInput {
  email: string;
  password: string;
  ip: string;
  userAgent?: string;
}

const IP_FACTOR = 4;
/** Per-account slowing: past the free attempts each evaluated attempt waits 1 s, 2 s, 4 s … at most 60 s. */
const ACCOUNT_DELAY_BASE_MS = 1000;
const ACCOUNT_DELAY_MAX_MS = 60_000;

function rateLimited(ttlMs: number): AppError {
  return new AppError('RATE_LIMITED', 'too many failed logins; try again later', undefined, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(ttlMs / 1000))) },
  });
}

/**
 * Email + password login, throttled before the password is looked at. Every attempt takes its place
 * with one atomic hit per counter (so a parallel burst cannot all be evaluated):
 * - per IP (all accounts) and per account + IP: fixed windows, refused with 429 past the limit;
 * - per account across IPs: not a lockout anyone could trigger, but a growing delay: past the free
 *   attempts one attempt at a time gets through, each after a longer wait.
 * Successful logins give their places back. Unknown emails cost the same as wrong passwords.
 * Failures are counted and logged by the HTTP layer (nothing is committed here for them).
 */
export async function login(
  deps: Deps,
  actor: Actor,
  input: LoginInput,
  limits: LoginLimits,
): Promise<NewSession & { userId: string }> {
  const account = sha256(normaliseEmail(input.email));
  const ipKey = `login:ip:${input.ip}`;
  const pairKey = `login:pair:${account}:${input.ip}`;
  const accountKey = `login:acct:${account}`;
  const window = { ttlMs: limits.windowMs };

  const ip = await deps.store.hit(ipKey, window);
  if (ip.count > limits.maxAttempts * IP_FACTOR) throw rateLimited(ip.ttlMs);
  const pair = await deps.store.hit(pairKey, window);
  if (pair.count > limits.maxAttempts) throw rateLimited(pair.ttlMs);
  const acct = await deps.store.hit(accountKey, window);
  if (acct.count > limits.maxAttempts) {
    const excess = acct.count - limits.maxAttempts - 1;
    const delayMs = Math.min(ACCOUNT_DELAY_MAX_MS, ACCOUNT_DELAY_BASE_MS * 2 ** Math.min(excess, 16));
    const gateKey = `login:gate:${account}`;
    if (!(await deps.store.set(gateKey, '1', { ttlMs: delayMs, ifAbsent: true }))) {
      // Not evaluated, so it does not count against this pair or grow the account's delay.
      await Promise.all([
        deps.store.increment(pairKey, { ...window, by: -1 }),
        deps.store.increment(accountKey, { ...window, by: -1 }),
      ]);
      throw rateLimited((await deps.store.ttl(gateKey)) ?? ACCOUNT_DELAY_BASE_MS);
    }
  }

  const user = await findUserByEmail(deps.db, input.email);
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user?.passwordHash || !passwordOk || user.disabledAt !== null) {
    throw new AppError('INVALID_CREDENTIALS', 'email or password is incorrect');
  }

  await Promise.all([
    deps.store.delete(pairKey),
    deps.store.delete(accountKey),
    deps.store.increment(ipKey, { ...window, by: -1 }),
  ]);
  const session = await createSession(deps, {
    userId: user.id,
    ip: input.ip,
    userAgent: input.userAgent,
    ttlMs: limits.sessionTtlMs,
  });
  actor.kind = 'user';
  actor.id = user.id;
  await recordAudit(deps.db, actor, {
    tenantId: null,
    action: 'auth.login',
    targetType: 'user',
    targetId: user.id,
  });
  return { ...session, userId: user.id };
}
