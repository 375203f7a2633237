import { type CrossTenantAccess, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../lib/deps.js';
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

const COLUMNS: ReadonlyArray<[header: string, value: (c: CallListItem) => unknown]> = [
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
];

const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * One CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula (starting with
 * = + - @ tab or CR) is prefixed with ' so it shows as text, except plain numbers like +15005550006.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

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
          selectCallPage(tx, { ...filters, tenantId: scope.tenantId }, pageSize, after),
        )
      : withTenant(deps.db, scope.tenantId, (tx) => selectCallPage(tx, filters, pageSize, after)));
    if (page.items.length > 0)
      yield page.items.map((c) => csvLine(COLUMNS.map(([, value]) => value(c)))).join('');
    if (!page.nextCursor) return;
    after = decodeCallCursor(page.nextCursor);
  }
}
