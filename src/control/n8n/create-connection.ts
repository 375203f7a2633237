import { recordCreation } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { OutboundGuard } from '../../lib/ssrf.js';
import { uniqueViolation } from '../db-errors.js';
import { checkBaseUrl } from './check-base-url.js';
import { auditView, last4, type N8nConnection, sealWebhookAuth, toConnectionView } from './connection-row.js';
import type { CreateN8nConnectionInput } from './connection-schemas.js';

export async function createN8nConnection(
  deps: Deps,
  outbound: OutboundGuard,
  actor: Actor,
  tenantId: string,
  input: CreateN8nConnectionInput,
): Promise<N8nConnection> {
  const baseUrl = await checkBaseUrl(outbound, input.baseUrl);
  const sealed = sealWebhookAuth(deps.secrets, input.webhookAuth ?? { kind: 'none' }, { kind: 'none' });
  if (!sealed.ok) throw missingSecret(sealed.error);
  try {
    return await withTenant(deps.db, tenantId, async (tx) => {
      const [row] = await tx
        .insert(tables.n8nConnections)
        .values({
          id: newId('n8nConnection'),
          tenantId,
          name: input.name,
          baseUrl,
          apiKeyEncrypted: input.apiKey === undefined ? null : deps.secrets.seal(input.apiKey),
          apiKeyLast4: input.apiKey === undefined ? null : last4(input.apiKey),
          webhookAuth: sealed.value,
        })
        .returning();
      const target = { tenantId, targetType: 'n8n_connection', targetId: row!.id };
      await recordCreation(tx, actor, target, auditView(row!));
      return toConnectionView(row!);
    });
  } catch (err) {
    if (uniqueViolation(err) === 'n8n_connections_tenant_name_key') throw nameTaken(input.name);
    throw err;
  }
}

export const nameTaken = (name: string) =>
  new AppError('N8N_CONNECTION_NAME_TAKEN', `this tenant already has an n8n connection named "${name}"`, [
    { field: 'name', message: 'is already taken' },
  ]);

export const missingSecret = (field: string) =>
  new AppError('VALIDATION_FAILED', `${field} is required for this kind of webhook auth`, [
    { field, message: 'is required' },
  ]);
