import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lowercase

export const ID_PREFIXES = {
  tenant: 'tnt',
  user: 'usr',
  apiKey: 'key',
  audit: 'aud',
  agent: 'agt',
  agentVersion: 'agv',
  tool: 'tool',
  phoneNumber: 'pn',
  n8nConnection: 'n8n',
  call: 'call',
  recording: 'rec',
  toolExecution: 'tex',
  deletion: 'del',
  retentionRun: 'rrn',
  request: 'req',
  testCase: 'atc',
  testRun: 'atr',
  testResult: 'ats',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Time-ordered, prefixed id: `tnt_01j…` (48-bit ms time + 80 random bits, base32). */
export function newId(kind: IdKind, now = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  randomBytes(10).copy(bytes, 6);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return `${ID_PREFIXES[kind]}_${out}`;
}

/** A JSON-schema pattern that accepts only ids of one kind. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_[0-9a-z]{26}$`;
}
