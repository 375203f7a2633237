import { and, eq, isNull } from 'drizzle-orm';
import { recordAudit, recordCreation } from '../audit/index.js';
import { findTenant, keysetPage, tables } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { PageInput } from '../lib/pagination.js';
import { isPlatformRole, type PlatformRole, type Principal, type Role } from './policy.js';
import { loadMemberships } from './principals.js';
import { randomToken, sha256 } from './tokens.js';

const KEY_PREFIX = 'sb_';

export interface CreateApiKeyInput {
  name: string;
  role: Role;
  tenantId?: string | null;
  expiresAt?: Date | null;
}

const publicColumns = {
  id: tables.apiKeys.id,
  name: tables.apiKeys.name,
  prefix: tables.apiKeys.prefix,
  role: tables.apiKeys.role,
  tenantId: tables.apiKeys.tenantId,
  createdBy: tables.apiKeys.createdBy,
  lastUsedAt: tables.apiKeys.lastUsedAt,
  expiresAt: tables.apiKeys.expiresAt,
  revokedAt: tables.apiKeys.revokedAt,
  createdAt: tables.apiKeys.createdAt,
};

/** Creates a key; the plaintext is returned once and only its sha256 is stored. */
export async function createApiKey(deps: Deps, actor: Actor, input: CreateApiKeyInput) {
  if (isPlatformRole(input.role) === (input.tenantId != null)) {
    throw new AppError(
      'VALIDATION_FAILED',
      isPlatformRole(input.role)
        ? 'internal roles are platform-wide: omit tenantId'
        : 'client_viewer keys need a tenantId',
      [{ field: 'tenantId', message: 'does not fit the role' }],
    );
  }
  const secret = `${KEY_PREFIX}${randomToken(30)}`;
  return deps.db.transaction(async (tx) => {
    // A key made with a key answers to the person behind that key, so it cannot outlive them either.
    let createdBy: string | null = actor.kind === 'user' ? actor.id : null;
    if (actor.kind === 'api_key' && actor.id) {
      const [parent] = await tx
        .select({ createdBy: tables.apiKeys.createdBy })
        .from(tables.apiKeys)
        .where(eq(tables.apiKeys.id, actor.id));
      createdBy = parent?.createdBy ?? null;
    }
    if (input.tenantId) await findTenant(tx, input.tenantId);
    const [row] = await tx
      .insert(tables.apiKeys)
      .values({
        id: newId('apiKey'),
        name: input.name,
        prefix: secret.slice(0, 10),
        hash: sha256(secret),
        role: input.role,
        tenantId: input.tenantId ?? null,
        createdBy,
        expiresAt: input.expiresAt ?? null,
      })
      .returning(publicColumns);
    await recordCreation(
      tx,
      actor,
      { tenantId: null, targetType: 'api_key', targetId: row!.id },
      { name: row!.name, role: row!.role, tenantId: row!.tenantId },
    );
    return { ...row!, key: secret };
  });
}

export function listApiKeys(deps: Deps, page: PageInput) {
  return keysetPage(deps.db.select(publicColumns).from(tables.apiKeys).$dynamic(), tables.apiKeys.id, page);
}

export async function revokeApiKey(deps: Deps, actor: Actor, id: string) {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(tables.apiKeys)
      .set({ revokedAt: deps.now() })
      .where(and(eq(tables.apiKeys.id, id), isNull(tables.apiKeys.revokedAt)))
      .returning(publicColumns);
    if (!row) throw new AppError('API_KEY_NOT_FOUND', 'API key not found or already revoked');
    await recordAudit(tx, actor, {
      tenantId: null,
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: id,
      summary: {
        before: { name: row.name, role: row.role, tenantId: row.tenantId, revokedAt: null },
        after: { revokedAt: row.revokedAt },
      },
    });
    return row;
  });
}

const PLATFORM_RANK: Record<PlatformRole, number> = { internal_operator: 1, internal_admin: 2 };

/**
 * The role a key may act with now: at most what its creator currently holds. A disabled creator, a
 * creator demoted out of the platform roles, or one removed from the key's tenant stops the key at its
 * next use; a demoted admin's admin key acts as an operator key. Keys made without a person (the CLI)
 * keep their role.
 */
async function effectiveRole(
  deps: Deps,
  key: { role: Role; tenantId: string | null; createdBy: string | null },
  creator: { platformRole: PlatformRole | null; disabledAt: Date | null } | null,
): Promise<Role | null> {
  if (key.createdBy === null) return key.role;
  if (!creator || creator.disabledAt !== null) return null;
  if (isPlatformRole(key.role)) {
    if (!creator.platformRole) return null;
    return PLATFORM_RANK[creator.platformRole] < PLATFORM_RANK[key.role] ? creator.platformRole : key.role;
  }
  if (creator.platformRole) return key.role;
  const memberships = await loadMemberships(deps, key.createdBy);
  return memberships.some((m) => m.tenantId === key.tenantId) ? key.role : null;
}

export async function resolveApiKey(
  deps: Deps,
  secret: string,
): Promise<Extract<Principal, { kind: 'api_key' }> | null> {
  if (!secret.startsWith(KEY_PREFIX)) return null;
  const [found] = await deps.db
    .select({
      key: tables.apiKeys,
      creator: {
        id: tables.users.id,
        platformRole: tables.users.platformRole,
        disabledAt: tables.users.disabledAt,
      },
    })
    .from(tables.apiKeys)
    .leftJoin(tables.users, eq(tables.users.id, tables.apiKeys.createdBy))
    .where(eq(tables.apiKeys.hash, sha256(secret)))
    .limit(1);
  const now = deps.now();
  const row = found?.key;
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  const role = await effectiveRole(deps, row, found.creator);
  if (role === null) {
    deps.log.warn(
      { keyId: row.id, createdBy: row.createdBy },
      'api key refused: its creator no longer holds the rights',
    );
    return null;
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await deps.db.update(tables.apiKeys).set({ lastUsedAt: now }).where(eq(tables.apiKeys.id, row.id));
  }
  return { kind: 'api_key', keyId: row.id, role, tenantId: row.tenantId, createdBy: row.createdBy };
}
