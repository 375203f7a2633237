import { eq } from 'drizzle-orm';
import {
  type CrossTenantAccess,
  findTenant,
  keysetPage,
  type Tx,
  tables,
  withAllTenants,
  withTenant,
} from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { toCsv } from '../lib/csv.js';
import { AppError } from '../lib/errors.js';
import type { PageInput } from '../lib/pagination.js';
import type { RetentionRun } from './run-retention.js';

/** The most rows one CSV export holds. */
export const CSV_MAX_ROWS = 10_000;

export interface ListRunsInput extends PageInput {
  tenantId?: string;
}

export async function listRetentionRuns(deps: Deps, access: CrossTenantAccess, input: ListRunsInput) {
  const r = tables.retentionRuns;
  return withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    keysetPage(
      tx.select().from(r).$dynamic(),
      r.id,
      input,
      input.tenantId ? eq(r.tenantId, input.tenantId) : undefined,
    ),
  );
}

export async function getRetentionRun(deps: Deps, access: CrossTenantAccess, runId: string) {
  const [run] = await withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    tx.select().from(tables.retentionRuns).where(eq(tables.retentionRuns.id, runId)),
  );
  if (!run) throw new AppError('NOT_FOUND', 'retention run not found');
  return run;
}

export type DeletionAuditRow = Omit<typeof tables.deletionAudit.$inferSelect, 'deleted'> & {
  deleted: {
    utterances: number;
    events: number;
    toolBodies: number;
    recordings: number;
    recordingBytes: number;
  };
};

export interface ListDeletionAuditInput extends PageInput {
  callId?: string;
  runId?: string;
  dryRun?: boolean;
}

export async function listDeletionAudit(deps: Deps, tenantId: string, input: ListDeletionAuditInput) {
  const d = tables.deletionAudit;
  return withTenant(deps.db, tenantId, async (tx: Tx) => {
    await findTenant(tx, tenantId);
    const page = await keysetPage(
      tx.select().from(d).$dynamic(),
      d.id,
      input,
      eq(d.tenantId, tenantId),
      input.callId ? eq(d.callId, input.callId) : undefined,
      input.runId ? eq(d.runId, input.runId) : undefined,
      input.dryRun === undefined ? undefined : eq(d.dryRun, input.dryRun),
    );
    return { ...page, items: page.items.map((row) => ({ ...row, deleted: normalizeCounts(row.deleted) })) };
  });
}

function normalizeCounts(deleted: Record<string, number>): DeletionAuditRow['deleted'] {
  return {
    utterances: deleted.utterances ?? 0,
    events: deleted.events ?? 0,
    toolBodies: deleted.toolBodies ?? 0,
    recordings: deleted.recordings ?? 0,
    recordingBytes: deleted.recordingBytes ?? 0,
  };
}

export function retentionRunsCsv(runs: RetentionRun[]): string {
  return toCsv<RetentionRun>(
    [
      ['id', (r) => r.id],
      ['tenant_id', (r) => r.tenantId],
      ['dry_run', (r) => r.dryRun],
      ['trigger', (r) => r.trigger],
      ['actor_id', (r) => r.actorId],
      ['as_of', (r) => r.asOf],
      ['status', (r) => r.status],
      ['started_at', (r) => r.startedAt],
      ['finished_at', (r) => r.finishedAt],
      ['calls_examined', (r) => r.callsExamined],
      ['calls_cleaned', (r) => r.callsCleaned],
      ['skipped_hold', (r) => r.skippedHold],
      ['errors', (r) => r.errors],
      ['error_message', (r) => r.errorMessage],
    ],
    runs,
  );
}

export function deletionAuditCsv(rows: DeletionAuditRow[]): string {
  return toCsv<DeletionAuditRow>(
    [
      ['id', (r) => r.id],
      ['tenant_id', (r) => r.tenantId],
      ['call_id', (r) => r.callId],
      ['run_id', (r) => r.runId],
      ['dry_run', (r) => r.dryRun],
      ['policy_days', (r) => r.policyDays],
      ['utterances', (r) => r.deleted.utterances],
      ['events', (r) => r.deleted.events],
      ['tool_bodies', (r) => r.deleted.toolBodies],
      ['recordings', (r) => r.deleted.recordings],
      ['recording_bytes', (r) => r.deleted.recordingBytes],
      ['created_at', (r) => r.createdAt],
    ],
    rows,
  );
}
