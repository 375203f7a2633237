import { and, eq, gt, lt } from 'drizzle-orm';
import { tables } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Principal } from './policy.js';
import { loadMemberships } from './principals.js';
import { randomToken, sha256 } from './tokens.js';

export interface NewSession {
  /** Goes into the httpOnly cookie; only its hash is stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  deps: Deps,
  input: { userId: string; ip?: string; userAgent?: string; ttlMs: number },
): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken(24);
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + input.ttlMs);
  await deps.db.insert(tables.sessions).values({
    id: sha256(token),
    userId: input.userId,
    csrfToken,
    ip: input.ip ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  });
  return { token, csrfToken, expiresAt };
}

export type SessionLookup =
  | { status: 'valid'; principal: Extract<Principal, { kind: 'user' }>; expiresAt: Date }
  | { status: 'expired' }
  | { status: 'unknown' };

/**
 * Resolves a cookie token. Sessions slide: each use pushes expiry out by ttlMs (written at most once a
 * minute to keep reads cheap). A disabled user's sessions stop working at once.
 */
export async function resolveSession(deps: Deps, token: string, ttlMs: number): Promise<SessionLookup> {
  const id = sha256(token);
  const [row] = await deps.db
    .select({ session: tables.sessions, user: tables.users })
    .from(tables.sessions)
    .innerJoin(tables.users, eq(tables.users.id, tables.sessions.userId))
    .where(eq(tables.sessions.id, id))
    .limit(1);
  if (!row) return { status: 'unknown' };
  const now = deps.now();
  if (row.session.expiresAt <= now || row.user.disabledAt !== null) {
    await deps.db.delete(tables.sessions).where(eq(tables.sessions.id, id));
    return { status: 'expired' };
  }
  let expiresAt = row.session.expiresAt;
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    expiresAt = new Date(now.getTime() + ttlMs);
    await deps.db
      .update(tables.sessions)
      .set({ lastSeenAt: now, expiresAt })
      .where(and(eq(tables.sessions.id, id), gt(tables.sessions.expiresAt, now)));
  }
  return {
    status: 'valid',
    expiresAt,
    principal: {
      kind: 'user',
      userId: row.user.id,
      email: row.user.email,
      platformRole: row.user.platformRole,
      memberships: row.user.platformRole ? [] : await loadMemberships(deps, row.user.id),
      sessionId: id,
      csrfToken: row.session.csrfToken,
    },
  };
}

export async function revokeSession(deps: Deps, sessionId: string): Promise<void> {
  await deps.db.delete(tables.sessions).where(eq(tables.sessions.id, sessionId));
}

export async function revokeUserSessions(deps: Pick<Deps, 'db'>, userId: string): Promise<void> {
  await deps.db.delete(tables.sessions).where(eq(tables.sessions.userId, userId));
}

export async function deleteExpiredSessions(deps: Deps): Promise<number> {
  const rows = await deps.db
    .delete(tables.sessions)
    .where(lt(tables.sessions.expiresAt, deps.now()))
    .returning({ id: tables.sessions.id });
  return rows.length;
}
