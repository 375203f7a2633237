import { AppError } from '../../lib/errors.js';
import type { OutboundGuard } from '../../lib/ssrf.js';
import { normaliseBaseUrl } from '../../n8n/index.js';

/**
 * The base URL as stored, refusing malformed URLs and hosts the SSRF guard blocks. A host that does
 * not resolve yet is accepted: the connection test reports it.
 */
export async function checkBaseUrl(outbound: OutboundGuard, raw: string): Promise<string> {
  const normalised = normaliseBaseUrl(raw);
  if (!normalised.ok) {
    throw new AppError('VALIDATION_FAILED', `baseUrl ${normalised.error}`, [
      { field: 'baseUrl', message: normalised.error },
    ]);
  }
  const verdict = await outbound.check(normalised.value);
  if (!verdict.ok && verdict.reason !== 'dns') {
    throw new AppError('OUTBOUND_URL_BLOCKED', `baseUrl is not allowed: ${verdict.message}`, [
      { field: 'baseUrl', message: verdict.message },
    ]);
  }
  return normalised.value;
}
