import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/index.js';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';

export const DEFAULT_RETENTION_DAYS = 30;
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

export interface RetentionPolicy {
  tenantId: string;
  /** Days call content is kept after the call ends. */
  retentionDays: number;
  /** Whether the recording goes with the rest of the content (otherwise it is kept). */
  deleteRecordings: boolean;
  updatedAt: Date | null;
}

export interface SetRetentionPolicyInput {
  retentionDays: number;
  deleteRecordings?: boolean;
}

async function assertTenant(tx: Parameters<Parameters<typeof withTenant>[2]>[0], tenantId: string) {
  const [tenant] = await tx
    .select({ id: tables.tenants.id })
    .from(tables.tenants)
    .where(eq(tables.tenants.id, tenantId));
  if (!tenant) throw new AppError('TENANT_NOT_FOUND', 'tenant not found');
}

/** The tenant's policy; a tenant without a row has the default (30 days, recordings deleted). */
export async function getRetentionPolicy(deps: Pick<Deps, 'db'>, tenantId: string): Promise<RetentionPolicy> {
  return withTenant(deps.db, tenantId, async (tx) => {
    await assertTenant(tx, tenantId);
    const [row] = await tx
      .select()
      .from(tables.retentionPolicies)
      .where(eq(tables.retentionPolicies.tenantId, tenantId));
    return row
      ? {
          tenantId,
          retentionDays: row.retentionDays,
          deleteRecordings: row.deleteRecordings,
          updatedAt: row.updatedAt,
        }
      : { tenantId, retentionDays: DEFAULT_RETENTION_DAYS, deleteRecordings: true, updatedAt: null };
  });
}

export async function setRetentionPolicy(
  deps: Pick<Deps, 'db' | 'now'>,
  actor: Actor,
  tenantId: string,
  input: SetRetentionPolicyInput,
): Promise<RetentionPolicy> {
  const days = input.retentionDays;
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    throw new AppError(
      'VALIDATION_FAILED',
      `retentionDays must be a whole number from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}`,
    );
  }
  return withTenant(deps.db, tenantId, async (tx) => {
    await assertTenant(tx, tenantId);
    const p = tables.retentionPolicies;
    const [before] = await tx.select().from(p).where(eq(p.tenantId, tenantId)).for('update');
    const values = {
      retentionDays: days,
      deleteRecordings: input.deleteRecordings ?? before?.deleteRecordings ?? true,
      updatedAt: deps.now(),
    };
    const [after] = await tx
      .insert(p)
      .values({ tenantId, ...values })
      .onConflictDoUpdate({ target: p.tenantId, set: values })
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action: 'retention.policy.update',
      targetType: 'tenant',
      targetId: tenantId,
      summary: {
        before: before
          ? { retentionDays: before.retentionDays, deleteRecordings: before.deleteRecordings }
          : null,
        after: { retentionDays: after!.retentionDays, deleteRecordings: after!.deleteRecordings },
      },
    });
    return {
      tenantId,
      retentionDays: after!.retentionDays,
      deleteRecordings: after!.deleteRecordings,
      updatedAt: after!.updatedAt,
    };
  });
}
