export const REDACTED = '[redacted]';

/** Replaces every occurrence of each secret in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A copy of a JSON value with secrets removed from every string (a workflow may echo our headers back). */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactText(key, secrets), redactDeep(item, secrets)]),
    );
  }
  return value;
}

export interface StoredBody {
  /** The first bytes of the body as text, secrets redacted. */
  text: string;
  bytes: number;
  truncated: boolean;
}

export function storedBody(
  body: Uint8Array | string,
  maxBytes: number,
  secrets: readonly string[],
): StoredBody {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const truncated = buffer.length > maxBytes;
  const text = (truncated ? buffer.subarray(0, maxBytes) : buffer).toString('utf8');
  return { text: redactText(text, secrets), bytes: buffer.length, truncated };
}

/** Headers as stored with an attempt: the named secret headers' values replaced. */
export function storedHeaders(
  headers: Record<string, string>,
  secretNames: readonly string[],
  secrets: readonly string[],
): Record<string, string> {
  const hidden = new Set(secretNames.map((name) => name.toLowerCase()));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      hidden.has(name.toLowerCase()) ? REDACTED : redactText(value, secrets),
    ]),
  );
}
