import { createHash, createHmac } from 'node:crypto';

export type TwilioParams = Record<string, string | string[]>;

/**
 * `X-Twilio-Signature` as Twilio computes it: base64 HMAC-SHA1 over the full URL followed by
 * every parameter name and value, names in code-point order, no separators, no encoding.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key] ?? '';
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += key + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

export function bodySha256Hex(rawBody: string): string {
  return createHash('sha256').update(Buffer.from(rawBody, 'utf-8')).digest('hex');
}

/**
 * For JSON-bodied webhooks Twilio appends `bodySHA256=<hex>` to the URL and signs that URL with no
 * body parameters.
 */
export function signJsonWebhook(
  authToken: string,
  url: string,
  rawBody: string,
): { url: string; signature: string } {
  const signed = new URL(url);
  signed.searchParams.set('bodySHA256', bodySha256Hex(rawBody));
  const signedUrl = signed.toString();
  return { url: signedUrl, signature: twilioSignature(authToken, signedUrl, {}) };
}
