import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { hashPassword, revokeUserSessions } from '../../auth/index.js';
import { type DbOrTx, tables } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { findUser, withLockedUser } from './user-row.js';

const TTL_MS = { invite: 7 * 24 * 3600_000, reset: 24 * 3600_000 } as const;
const PREFIX = 'sbpw_';

/** A one-time password token: the plaintext is returned once, only its sha256 is stored. */
export interface PasswordToken {
  token: string;
  purpose: 'invite' | 'reset';
  expiresAt: Date;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Issues a token, replacing any earlier one of the user (only the newest works). */
export async function issueToken(
  tx: DbOrTx,
  now: Date,
  actor: Actor,
  userId: string,
  purpose: PasswordToken['purpose'],
): Promise<PasswordToken> {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + TTL_MS[purpose]);
  await tx.delete(tables.passwordTokens).where(eq(tables.passwordTokens.userId, userId));
  await tx.insert(tables.passwordTokens).values({
    id: digest(token),
    userId,
    purpose,
    createdBy: actor.kind === 'user' ? actor.id : null,
    createdAt: now,
    expiresAt,
  });
  await recordAudit(tx, actor, {
    tenantId: null,
    action: `user.password_token.${purpose}`,
    targetType: 'user',
    targetId: userId,
    summary: { after: { expiresAt } },
  });
  return { token, purpose, expiresAt };
}

/** An admin issues a reset token for a user (who then chooses the password); their sessions end. */
export async function issuePasswordReset(deps: Deps, actor: Actor, userId: string): Promise<PasswordToken> {
  return withLockedUser(deps.db, userId, async (tx, user) => {
    if (user.disabledAt) throw new AppError('CONFLICT', 'the user is disabled; enable them first');
    const token = await issueToken(tx, deps.now(), actor, userId, 'reset');
    await revokeUserSessions({ db: tx }, userId);
    return token;
  });
}

/** Sets a password with a token (public: the token is the credential). The token is used up. */
export async function redeemPasswordToken(
  deps: Deps,
  actor: Actor,
  input: { token: string; password: string },
): Promise<{ userId: string }> {
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction(async (tx) => {
    const t = tables.passwordTokens;
    const [row] = await tx
      .delete(t)
      .where(and(eq(t.id, digest(input.token)), gt(t.expiresAt, deps.now())))
      .returning();
    if (!row)
      throw new AppError(
        'PASSWORD_TOKEN_INVALID',
        'this link is invalid, used or expired; ask for a new one',
      );
    const user = await findUser(tx, row.userId, true);
    if (user.disabledAt)
      throw new AppError(
        'PASSWORD_TOKEN_INVALID',
        'this link is invalid, used or expired; ask for a new one',
      );
    await tx
      .update(tables.users)
      .set({ passwordHash, updatedAt: deps.now() })
      .where(eq(tables.users.id, row.userId));
    await revokeUserSessions({ db: tx }, row.userId);
    actor.kind = 'user';
    actor.id = row.userId;
    await recordAudit(tx, actor, {
      tenantId: null,
      action: 'user.password_set',
      targetType: 'user',
      targetId: row.userId,
      summary: { after: { via: row.purpose } },
    });
    return { userId: row.userId };
  });
}

/** An admin sets a user's password directly; the user's sessions end. */
export async function setUserPassword(
  deps: Deps,
  actor: Actor,
  userId: string,
  password: string,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    await findUser(tx, userId, true);
    await tx
      .update(tables.users)
      .set({ passwordHash, updatedAt: deps.now() })
      .where(eq(tables.users.id, userId));
    await tx.delete(tables.passwordTokens).where(eq(tables.passwordTokens.userId, userId));
    await revokeUserSessions({ db: tx }, userId);
    await recordAudit(tx, actor, {
      tenantId: null,
      action: 'user.password_set',
      targetType: 'user',
      targetId: userId,
      summary: { after: { via: 'admin' } },
    });
  });
}
