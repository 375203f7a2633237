import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values give equal text (jsonb reorders keys). */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** sha256 of a value's stable JSON: what "exactly this configuration" means to the publish gate. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

/** The suite a run covers: its active cases by id and revision. */
export function suiteHash(cases: readonly { id: string; revision: number }[]): string {
  return contentHash([...cases].map((c) => `${c.id}@${c.revision}`).sort());
}
