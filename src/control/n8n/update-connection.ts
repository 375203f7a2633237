import { updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import type { OutboundGuard } from '../../lib/ssrf.js';
import { uniqueViolation } from '../db-errors.js';
import { checkBaseUrl } from './check-base-url.js';
import {
  auditView,
  findConnection,
  last4,
  type N8nConnection,
  sealWebhookAuth,
  toConnectionView,
} from './connection-row.js';
import type { UpdateN8nConnectionInput } from './connection-schemas.js';
import { missingSecret, nameTaken } from './create-connection.js';

/** Renames, re-points or rotates secrets (a new apiKey / webhook secret replaces the stored one). */
export async function updateN8nConnection(
  deps: Deps,
  outbound: OutboundGuard,
  actor: Actor,
  tenantId: string,
  connectionId: string,
  input: UpdateN8nConnectionInput,
): Promise<N8nConnection> {
  const baseUrl = input.baseUrl === undefined ? undefined : await checkBaseUrl(outbound, input.baseUrl);
  try {
    return await withLockedRow(deps.db, findConnection, tenantId, connectionId, async (tx, before) => {
      const changes: Partial<typeof tables.n8nConnections.$inferInsert> = { updatedAt: deps.now() };
      if (input.name !== undefined) changes.name = input.name;
      if (baseUrl !== undefined) changes.baseUrl = baseUrl;
      if (input.apiKey !== undefined) {
        changes.apiKeyEncrypted = input.apiKey === null ? null : deps.secrets.seal(input.apiKey);
        changes.apiKeyLast4 = input.apiKey === null ? null : last4(input.apiKey);
      }
      if (input.webhookAuth !== undefined) {
        const sealed = sealWebhookAuth(deps.secrets, input.webhookAuth, before.webhookAuth);
        if (!sealed.ok) throw missingSecret(sealed.error);
        changes.webhookAuth = sealed.value;
      }
      const after = await updateAudited(tx, actor, tables.n8nConnections, connectionId, {
        tenantId,
        action:
          input.apiKey !== undefined || input.webhookAuth !== undefined
            ? 'n8n_connection.rotate'
            : 'n8n_connection.update',
        targetType: 'n8n_connection',
        set: changes,
        summary: (row) => ({ before: auditView(before), after: auditView(row) }),
      });
      return toConnectionView(after);
    });
  } catch (err) {
    if (uniqueViolation(err) === 'n8n_connections_tenant_name_key') throw nameTaken(input.name ?? '');
    throw err;
  }
}
