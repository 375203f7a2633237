import { and, count, eq, isNull, ne } from 'drizzle-orm';
import { publicUserColumns } from '../../auth/index.js';
import { type AppDb, type DbOrTx, type Tx, tables } from '../../db/index.js';
import { AppError } from '../../lib/errors.js';

export interface User {
  id: string;
  email: string;
  name: string;
  platformRole: 'internal_admin' | 'internal_operator' | null;
  disabledAt: Date | null;
  createdAt: Date;
}

export async function findUser(db: DbOrTx, userId: string, lock = false): Promise<User> {
  const query = db.select(publicUserColumns).from(tables.users).where(eq(tables.users.id, userId));
  const [user] = lock ? await query.for('update') : await query;
  if (!user) throw new AppError('USER_NOT_FOUND', 'user not found');
  return user;
}

/** Runs `change` in a transaction with the user locked for update; USER_NOT_FOUND otherwise. */
export function withLockedUser<T>(
  db: AppDb,
  userId: string,
  change: (tx: Tx, user: User) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => change(tx, await findUser(tx, userId, true)));
}

/** Refuses a change that would leave the platform without an active internal_admin. */
export async function keepOneAdmin(db: DbOrTx, leaving: User): Promise<void> {
  if (leaving.platformRole !== 'internal_admin' || leaving.disabledAt) return;
  const u = tables.users;
  const [row] = await db
    .select({ n: count() })
    .from(u)
    .where(and(eq(u.platformRole, 'internal_admin'), isNull(u.disabledAt), ne(u.id, leaving.id)));
  if ((row?.n ?? 0) === 0) throw new AppError('CONFLICT', 'this is the last active internal_admin');
}
