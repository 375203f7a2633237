import { eq } from 'drizzle-orm';
import { changeSummary, recordAudit } from '../../audit/index.js';
import { revokeUserSessions } from '../../auth/index.js';
import { tables } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { findUser, keepOneAdmin, type User, withLockedUser } from './user-row.js';

export interface UpdateUserInput {
  name?: string;
  /** Agency staff role; null makes the user a client user (tenant access through memberships only). */
  platformRole?: User['platformRole'];
}

/** Renames a user or changes their platform role (read on every request, so it applies at once). Nobody changes their own role. */
export async function updateUser(
  deps: Deps,
  actor: Actor,
  userId: string,
  input: UpdateUserInput,
): Promise<User> {
  return withLockedUser(deps.db, userId, async (tx, before) => {
    const roleChanges = input.platformRole !== undefined && input.platformRole !== before.platformRole;
    if (roleChanges) {
      if (actor.kind === 'user' && actor.id === userId)
        throw new AppError('CONFLICT', 'you cannot change your own role');
      await keepOneAdmin(tx, before);
    }
    await tx
      .update(tables.users)
      .set({ ...input, updatedAt: deps.now() })
      .where(eq(tables.users.id, userId));
    const after = await findUser(tx, userId);
    await recordAudit(tx, actor, {
      tenantId: null,
      action: roleChanges ? 'user.role_change' : 'user.update',
      targetType: 'user',
      targetId: userId,
      summary: changeSummary(input, before, after),
    });
    return after;
  });
}

/** Disables (sessions end at once, logins fail) or re-enables a user. Nobody disables themselves. */
export async function setUserDisabled(
  deps: Deps,
  actor: Actor,
  userId: string,
  disabled: boolean,
): Promise<User> {
  return withLockedUser(deps.db, userId, async (tx, before) => {
    if (disabled && actor.kind === 'user' && actor.id === userId) {
      throw new AppError('CONFLICT', 'you cannot disable yourself');
    }
    if (disabled) await keepOneAdmin(tx, before);
    const disabledAt = disabled ? (before.disabledAt ?? deps.now()) : null;
    await tx
      .update(tables.users)
      .set({ disabledAt, updatedAt: deps.now() })
      .where(eq(tables.users.id, userId));
    if (disabled) {
      await revokeUserSessions({ db: tx }, userId);
      await tx.delete(tables.passwordTokens).where(eq(tables.passwordTokens.userId, userId));
    }
    await recordAudit(tx, actor, {
      tenantId: null,
      action: disabled ? 'user.disable' : 'user.enable',
      targetType: 'user',
      targetId: userId,
      summary: { before: { disabledAt: before.disabledAt }, after: { disabledAt } },
    });
    return findUser(tx, userId);
  });
}
