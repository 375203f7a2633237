import { and, eq } from 'drizzle-orm';
import { type Tx, tables, tenantRowFinder } from '../../db/index.js';
import { AppError } from '../../lib/errors.js';
import { throwIfIssues } from '../field-issues.js';
import { type E164Result, normaliseE164 } from './e164.js';

export type PhoneNumber = typeof tables.phoneNumbers.$inferSelect;

/** The tenant's phone number, locked for update when asked; PHONE_NUMBER_NOT_FOUND otherwise. */
export const findNumber = tenantRowFinder(
  tables.phoneNumbers,
  () => new AppError('PHONE_NUMBER_NOT_FOUND', 'phone number not found'),
);

/** Refuses routing a number to `agentId` unless it is this tenant's agent and not archived (none: no check). */
export async function requireAssignableAgent(
  tx: Tx,
  tenantId: string,
  agentId: string | null | undefined,
): Promise<void> {
  if (!agentId) return;
  const a = tables.agents;
  const [agent] = await tx
    .select({ archivedAt: a.archivedAt })
    .from(a)
    .where(and(eq(a.tenantId, tenantId), eq(a.id, agentId)));
  const problem = !agent ? 'is not an agent of this tenant' : agent.archivedAt ? 'is archived' : undefined;
  if (problem) throwIfIssues('VALIDATION_FAILED', 'cannot assign', [{ field: 'agentId', message: problem }]);
}

export function requireE164(input: string, field = 'e164'): string {
  const result: E164Result = normaliseE164(input);
  if (!result.ok) {
    throw new AppError('VALIDATION_FAILED', `${field} ${result.error}`, [{ field, message: result.error }]);
  }
  return result.value;
}

export const numberTaken = (e164: string) =>
  new AppError('PHONE_NUMBER_TAKEN', `${e164} is already registered`, [
    { field: 'e164', message: 'is already registered' },
  ]);
