import type { tables } from '../../db/index.js';

export type CallRow = typeof tables.calls.$inferSelect;
export type CallStatus = CallRow['status'];
export type CallTransport = NonNullable<CallRow['transport']>;

/** Statuses of a call that is not over yet. */
export const LIVE_STATUSES: CallStatus[] = ['ringing', 'in_progress'];
