import { recordAudit } from '../audit/index.js';
import type { Actor, Deps } from '../lib/deps.js';
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

/**
 * Email + password login with failed-attempt limits per account and per IP (fixed windows in the
 * ephemeral store). Unknown emails cost the same as wrong passwords, so timing reveals nothing.
 * Failures are audited by the HTTP layer (nothing is committed here for them).
 */
export async function login(
  deps: Deps,
  actor: Actor,
  input: LoginInput,
  limits: LoginLimits,
): Promise<NewSession & { userId: string }> {
  const accountKey = `login:fail:acct:${sha256(normaliseEmail(input.email))}`;
  const ipKey = `login:fail:ip:${input.ip}`;
  const [accountFailures, ipFailures] = await Promise.all([
    deps.store.get(accountKey),
    deps.store.get(ipKey),
  ]);
  if (Number(accountFailures) >= limits.maxAttempts || Number(ipFailures) >= limits.maxAttempts * IP_FACTOR) {
    const ttls = await Promise.all([deps.store.ttl(accountKey), deps.store.ttl(ipKey)]);
    const retryAfterS = Math.max(1, Math.ceil(Math.max(...ttls.map((t) => t ?? 0)) / 1000));
    throw new AppError('RATE_LIMITED', 'too many failed logins; try again later', undefined, {
      headers: { 'retry-after': String(retryAfterS) },
    });
  }

  const user = await findUserByEmail(deps.db, input.email);
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user?.passwordHash || !passwordOk || user.disabledAt !== null) {
    await Promise.all([
      deps.store.increment(accountKey, { ttlMs: limits.windowMs }),
      deps.store.increment(ipKey, { ttlMs: limits.windowMs }),
    ]);
    throw new AppError('INVALID_CREDENTIALS', 'email or password is incorrect');
  }

  await deps.store.delete(accountKey);
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
