import { inArray } from 'drizzle-orm';
import { type CrossTenantAccess, type Tx, tables, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { csvLine } from '../lib/csv.js';
import type { CallCursor } from './call-cursor.js';
import { decodeCallCursor } from './call-cursor.js';
import {
  type CallListFilters,
  type CallListItem,
  checkCallListFilters,
  selectCallPage,
} from './list-calls.js';

/** Whose calls: one tenant, or (agency staff) all of them, optionally narrowed to one. */
export type CallExportScope = { tenantId: string } | { access: CrossTenantAccess; tenantId?: string };

/** A listed call with its post-call analysis (summary and verdict), when there is one. */
type ExportRow = CallListItem & { summary: string | null; success: boolean | null };

const COLUMNS: ReadonlyArray<[header: string, value: (c: ExportRow) => unknown]> = [
  ['call_id', (c) => c.id],
  ['tenant_id', (c) => c.tenantId],
  ['started_at', (c) => c.startedAt],
  ['ended_at', (c) => c.endedAt],
  ['duration_ms', (c) => c.durationMs],
  ['status', (c) => c.status],
  ['end_reason', (c) => c.endReason],
  ['outcome', (c) => c.outcome],
  ['agent_id', (c) => c.agentId],
  ['agent_name', (c) => c.agentName],
  ['from_number', (c) => c.fromNumber],
  ['to_number', (c) => c.toNumber],
  ['transport', (c) => c.transport],
  ['has_recording', (c) => c.hasRecording],
  ['legal_hold', (c) => c.legalHold],
  ['summary', (c) => c.summary],
  ['success', (c) => c.success],
];

/** One page of calls with their analyses (one more query per page, none per row). */
async function selectExportPage(
  tx: Tx,
  filters: CallListFilters & { tenantId?: string | undefined },
  pageSize: number,
  after: CallCursor | undefined,
) {
  const page = await selectCallPage(tx, filters, pageSize, after);
  const ids = page.items.map((c) => c.id);
  const analyses =
    ids.length === 0
      ? []
      : await tx
          .select({
            callId: tables.callAnalyses.callId,
            summary: tables.callAnalyses.summary,
            success: tables.callAnalyses.success,
          })
          .from(tables.callAnalyses)
          .where(inArray(tables.callAnalyses.callId, ids));
  const byCall = new Map(analyses.map((a) => [a.callId, a]));
  const items: ExportRow[] = page.items.map((c) => ({
    ...c,
    summary: byCall.get(c.id)?.summary ?? null,
    success: byCall.get(c.id)?.success ?? null,
  }));
  return { items, nextCursor: page.nextCursor };
}

/**
 * The filtered calls as CSV, newest first, produced page by page (each page its own short
 * transaction on the keyset index) so a long export holds neither memory nor a transaction open.
 */
export function exportCallsCsv(
  deps: Deps,
  scope: CallExportScope,
  filters: CallListFilters,
  options: { pageSize?: number } = {},
): AsyncGenerator<string> {
  // Checked before the first byte is sent, so a bad filter is a 400 and not a cut-off stream.
  checkCallListFilters(filters);
  return csvPages(deps, scope, filters, options.pageSize ?? 2000);
}

async function* csvPages(
  deps: Deps,
  scope: CallExportScope,
  filters: CallListFilters,
  pageSize: number,
): AsyncGenerator<string> {
  let after: CallCursor | undefined;
  yield csvLine(COLUMNS.map(([header]) => header));
  for (;;) {
    const page = await ('access' in scope
      ? withAllTenants(deps.db, scope.access, deps.crossTenantLog, (tx) =>
          selectExportPage(tx, { ...filters, tenantId: scope.tenantId }, pageSize, after),
        )
      : withTenant(deps.db, scope.tenantId, (tx) =>
          selectExportPage(tx, { ...filters, tenantId: scope.tenantId }, pageSize, after),
        ));
    if (page.items.length > 0)
      yield page.items.map((c) => csvLine(COLUMNS.map(([, value]) => value(c)))).join('');
    if (!page.nextCursor) return;
    after = decodeCallCursor(page.nextCursor);
  }
}
