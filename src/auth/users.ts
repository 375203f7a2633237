import { eq, sql } from 'drizzle-orm';
import { recordAudit, recordCreation } from '../audit/index.js';
import { type DbOrTx, tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.js';
import type { PlatformRole, Role } from './policy.js';

export interface CreateUserInput {
  email: string;
  name: string;
  password?: string;
  platformRole?: PlatformRole | null;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [user] = await db
    .select()
    .from(tables.users)
    .where(eq(sql`lower(${tables.users.email})`, normaliseEmail(email)))
    .limit(1);
  return user;
}

export async function createUser(deps: Pick<Deps, 'db'>, actor: Actor, input: CreateUserInput) {
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `password must be at least ${MIN_PASSWORD_LENGTH} characters`, [
      { field: 'password', message: 'too short' },
    ]);
  }
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return deps.db.transaction(async (tx) => {
    if (await findUserByEmail(tx, input.email)) {
      throw new AppError('EMAIL_TAKEN', 'a user with this email already exists');
    }
    const [user] = await tx
      .insert(tables.users)
      .values({
        id: newId('user'),
        email: normaliseEmail(input.email),
        name: input.name,
        passwordHash,
        platformRole: input.platformRole ?? null,
      })
      .returning()
      .catch((err: unknown) => {
        // Two creations of one email racing past the check above: the index decides.
        if (isEmailTaken(err)) throw new AppError('EMAIL_TAKEN', 'a user with this email already exists');
        throw err;
      });
    await recordCreation(
      tx,
      actor,
      { tenantId: null, targetType: 'user', targetId: user!.id },
      { email: user!.email, name: user!.name, platformRole: user!.platformRole },
    );
    return user!;
  });
}

export async function addMembership(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  input: { userId: string; tenantId: string; role: Extract<Role, 'client_viewer'> },
) {
  return withTenant(deps.db, input.tenantId, async (tx) => {
    await tx
      .insert(tables.memberships)
      .values(input)
      .onConflictDoUpdate({
        target: [tables.memberships.userId, tables.memberships.tenantId],
        set: { role: input.role },
      });
    await recordAudit(tx, actor, {
      tenantId: input.tenantId,
      action: 'membership.upsert',
      targetType: 'user',
      targetId: input.userId,
      summary: { after: { role: input.role } },
    });
  });
}

function isEmailTaken(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505' && constraint === 'users_email_key') return true;
  }
  return false;
}
