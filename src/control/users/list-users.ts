import type { Deps } from '../../deps/index.js';
import { findUser, type User } from './user-row.js';

export function getUser(deps: Deps, userId: string): Promise<User> {
  return findUser(deps.db, userId);
}
