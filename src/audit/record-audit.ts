import type { DbOrTx } from '../db/index.js';
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
