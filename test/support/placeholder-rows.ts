import type { tables } from '../../src/db/index.js';
import { newId } from '../../src/lib/ids.js';

/**
 * Rows with every required column filled by a placeholder, for tests about where a row may go
 * (row-level security, cross-tenant foreign keys) rather than what it says.
 */
type Insert<T extends { $inferInsert: unknown }> = T['$inferInsert'];

export const utteranceRow = (tenantId: string, callId: string): Insert<typeof tables.utterances> => ({
  tenantId,
  callId,
  seq: 1,
  speaker: 'caller',
  text: 'hi',
  startMs: 0,
  endMs: 1,
});

export const recordingRow = (tenantId: string, callId: string): Insert<typeof tables.recordings> => ({
  id: newId('recording'),
  tenantId,
  callId,
  storageKey: 'k',
  contentType: 'audio/wav',
  channels: 2,
  sampleRate: 8000,
  durationMs: 1,
  sizeBytes: 1,
});

export const callCostRow = (tenantId: string, callId: string): Insert<typeof tables.callCosts> => ({
  tenantId,
  callId,
  provider: 'openai',
  metric: 'tokens',
  quantity: '1',
  unitPriceUsd: '1',
  amountUsd: '1',
});

export const toolExecutionAttemptRow = (
  tenantId: string,
  executionId: string,
): Insert<typeof tables.toolExecutionAttempts> => ({
  tenantId,
  executionId,
  attempt: 1,
  outcome: 'ok',
  durationMs: 1,
  startedAt: new Date(),
});
