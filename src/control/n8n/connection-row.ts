import { type StoredWebhookAuth, tables, tenantRowFinder } from '../../db/index.js';
import { AppError } from '../../lib/errors.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { SecretBox } from '../../lib/secrets.js';
import type { N8nConnectionRow } from '../../n8n/index.js';
import type { SecretState, WebhookAuthInput, WebhookAuthView } from './connection-schemas.js';

/** A connection as the API shows it: secrets reduced to set/last4. */
export interface N8nConnection {
  id: string;
  tenantId: string;
  name: string;
  baseUrl: string;
  apiKey: SecretState;
  webhookAuth: WebhookAuthView;
  createdAt: Date;
  updatedAt: Date;
}

export function toConnectionView(row: N8nConnectionRow): N8nConnection {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    baseUrl: row.baseUrl,
    apiKey: { set: row.apiKeyEncrypted !== null, last4: row.apiKeyLast4 },
    webhookAuth: webhookAuthView(row.webhookAuth),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function webhookAuthView(auth: StoredWebhookAuth): WebhookAuthView {
  switch (auth.kind) {
    case 'header':
      return { kind: 'header', name: auth.name, value: { set: true, last4: auth.last4 } };
    case 'basic':
      return { kind: 'basic', username: auth.username, password: { set: true, last4: auth.last4 } };
    default:
      return { kind: 'none' };
  }
}

export const last4 = (secret: string) => secret.slice(-4);

/**
 * Seals the secret of a webhook auth input. A secret left out keeps the stored one, but only for
 * the same kind of auth (a header value never becomes a basic-auth password); the error names the
 * field whose secret is missing.
 */
export function sealWebhookAuth(
  secrets: SecretBox,
  input: WebhookAuthInput,
  current: StoredWebhookAuth,
): Result<StoredWebhookAuth, string> {
  switch (input.kind) {
    case 'none':
      return ok({ kind: 'none' });
    case 'header':
      if (input.value !== undefined) {
        return ok({
          kind: 'header',
          name: input.name,
          valueEncrypted: secrets.seal(input.value),
          last4: last4(input.value),
        });
      }
      return current.kind === 'header' ? ok({ ...current, name: input.name }) : err('webhookAuth.value');
    case 'basic':
      if (input.password !== undefined) {
        return ok({
          kind: 'basic',
          username: input.username,
          passwordEncrypted: secrets.seal(input.password),
          last4: last4(input.password),
        });
      }
      return current.kind === 'basic'
        ? ok({ ...current, username: input.username })
        : err('webhookAuth.password');
  }
}

export const findConnection = tenantRowFinder(
  tables.n8nConnections,
  () => new AppError('N8N_CONNECTION_NOT_FOUND', 'n8n connection not found'),
);

/** What the audit log keeps of a connection: no ciphertext, no secret. */
export function auditView(row: N8nConnectionRow) {
  const view = toConnectionView(row);
  return { name: view.name, baseUrl: view.baseUrl, apiKey: view.apiKey, webhookAuth: view.webhookAuth };
}
