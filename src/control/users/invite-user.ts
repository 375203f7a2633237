import { type CreateUserInput, createUser } from '../../auth/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { issueToken, type PasswordToken } from './password-tokens.js';
import { findUser, type User } from './user-row.js';

/**
 * Creates a user. Without a password it is an invitation: the answer carries a one-time token
 * (shown once, 7 days) with which the person sets their own password.
 */
export async function inviteUser(
  deps: Deps,
  actor: Actor,
  input: CreateUserInput,
): Promise<User & { invitation: PasswordToken | null }> {
  return deps.db.transaction(async (tx) => {
    const user = await findUser(tx, (await createUser({ db: tx }, actor, input)).id);
    const invitation =
      input.password === undefined ? await issueToken(tx, deps.now(), actor, user.id, 'invite') : null;
    return { ...user, invitation };
  });
}
