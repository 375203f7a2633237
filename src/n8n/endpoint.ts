import type { tables } from '../db/index.js';
import { err, ok, type Result } from '../lib/result.js';
import type { SecretBox } from '../lib/secrets.js';
import { normaliseBaseUrl } from './base-url.js';

/** A stored n8n connection (secrets sealed). */
export type N8nConnectionRow = typeof tables.n8nConnections.$inferSelect;

/** A tenant's n8n instance with its credentials opened, ready to call. Never stored or logged. */
export interface N8nEndpoint {
  connectionId: string;
  /** Normalised base URL (`normaliseBaseUrl`). */
  baseUrl: string;
  apiKey: string | undefined;
  /** The webhook authentication headers (header auth or HTTP Basic). */
  webhookHeaders: Record<string, string>;
  /** Every secret value that could appear in a request or an echoed response, for redaction. */
  secrets: string[];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Decrypts the connection's API key and webhook credentials; the error says what is wrong. */
export function openEndpoint(secrets: SecretBox, row: N8nConnectionRow): Result<N8nEndpoint> {
  const baseUrl = normaliseBaseUrl(row.baseUrl);
  if (!baseUrl.ok) return err('the n8n connection has an invalid base URL');
  try {
    const apiKey = row.apiKeyEncrypted ? secrets.open(row.apiKeyEncrypted) : undefined;
    const found: string[] = apiKey ? [apiKey] : [];
    const webhookHeaders: Record<string, string> = {};
    const auth = row.webhookAuth;
    if (auth.kind === 'header') {
      if (!HEADER_NAME.test(auth.name)) {
        return err('the webhook auth header name is not a valid HTTP header name');
      }
      const value = secrets.open(auth.valueEncrypted);
      webhookHeaders[auth.name.toLowerCase()] = value;
      found.push(value);
    } else if (auth.kind === 'basic') {
      const password = secrets.open(auth.passwordEncrypted);
      const token = Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64');
      webhookHeaders.authorization = `Basic ${token}`;
      found.push(password, token);
    }
    return ok({
      connectionId: row.id,
      baseUrl: baseUrl.value,
      apiKey,
      webhookHeaders,
      secrets: found.filter((s) => s.length >= 4),
    });
  } catch {
    return err('the n8n connection credentials cannot be decrypted');
  }
}
