import { eq } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { DbOrTx, Tx } from '../db/index.js';
import { tables } from '../db/index.js';
import type { Actor } from '../lib/actor.js';
import { newId } from '../lib/ids.js';

export interface AuditEntry {
  tenantId: string | null;
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome?: 'success' | 'failure';
  /** Before/after or other context. Never secrets: callers pass redacted values. */
  summary?: Record<string, unknown>;
}

/** Writes one audit row in the caller's transaction, so the change and its record commit together. */
export async function recordAudit(tx: DbOrTx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.insert(tables.auditLog).values({
    id: newId('audit'),
    tenantId: entry.tenantId,
    actorKind: actor.kind,
    actorId: actor.id,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    outcome: entry.outcome ?? 'success',
    summary: entry.summary ?? null,
    requestId: actor.requestId ?? null,
    ip: actor.ip ?? null,
  });
  actor.audited = true;
}

/** The row an entry is about: its tenant (null for platform rows), kind and id. */
export type AuditTarget = Required<Pick<AuditEntry, 'tenantId' | 'targetType' | 'targetId'>>;

/** Records that `actor` created the target: action `<targetType>.create`, what it holds as `after`. */
export function recordCreation(
  tx: DbOrTx,
  actor: Actor,
  target: AuditTarget,
  after: Record<string, unknown>,
): Promise<void> {
  return recordAudit(tx, actor, { ...target, action: `${target.targetType}.create`, summary: { after } });
}

type IdTable = PgTable & { id: PgColumn };

/** A change to one row and the audit entry that records it (the row's id is the entry's target). */
export interface AuditedUpdate<T extends IdTable> extends Omit<AuditEntry, 'targetId' | 'summary'> {
  set: PgUpdateSetSource<T>;
  /** Given the row as updated, when the summary shows what the update wrote. */
  summary?: Record<string, unknown> | ((after: T['$inferSelect']) => Record<string, unknown>);
}

/** Updates the row `id` of `table` and records it in the audit log; returns the row as updated. */
export async function updateAudited<T extends IdTable>(
  tx: Tx,
  actor: Actor,
  table: T,
  id: string,
  { set, summary, ...entry }: AuditedUpdate<T>,
): Promise<T['$inferSelect']> {
  const [after] = (await tx
    .update(table)
    .set(set)
    .where(eq(table.id, id))
    .returning()) as T['$inferSelect'][];
  await recordAudit(tx, actor, {
    ...entry,
    targetId: id,
    summary: typeof summary === 'function' ? summary(after!) : summary,
  });
  return after!;
}

/** Deletes the row `id` of `table` and records it in the audit log (the row's id is the entry's target). */
export async function deleteAudited<T extends IdTable>(
  tx: Tx,
  actor: Actor,
  table: T,
  id: string,
  entry: Omit<AuditEntry, 'targetId'>,
): Promise<void> {
  await tx.delete(table).where(eq(table.id, id));
  await recordAudit(tx, actor, { ...entry, targetId: id });
}
