/** One field that differs between two configurations. `before`/`after` are absent when the field is. */
export interface ConfigChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/**
 * Field-level differences between two JSON values. Arrays of objects with an `id` (tools) are matched
 * by id, so reordering is not a change and a path reads `tools[tool_…].timeoutMs`; other arrays by index.
 */
export function diffConfigs(before: unknown, after: unknown, path = ''): ConfigChange[] {
  if (Object.is(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffMember(before, after, key, join(path, key)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (isIdList(before) && isIdList(after)) {
      const byId = (list: Record<string, unknown>[]) => new Map(list.map((item) => [String(item.id), item]));
      const [a, b] = [byId(before), byId(after)];
      const ids = [...new Set([...a.keys(), ...b.keys()])];
      return ids.flatMap((id) =>
        diffMember(Object.fromEntries(a), Object.fromEntries(b), id, `${path}[${id}]`),
      );
    }
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => i).flatMap((i) =>
      diffMember(before as unknown[], after as unknown[], i, `${path}[${i}]`),
    );
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, kind: 'changed', before, after }];
}

function diffMember(
  before: Record<string, unknown> | unknown[],
  after: Record<string, unknown> | unknown[],
  key: string | number,
  path: string,
): ConfigChange[] {
  const inBefore = Object.hasOwn(before, key);
  const inAfter = Object.hasOwn(after, key);
  const a = (before as Record<string | number, unknown>)[key];
  const b = (after as Record<string | number, unknown>)[key];
  if (inBefore && !inAfter) return [{ path, kind: 'removed', before: a }];
  if (!inBefore && inAfter) return [{ path, kind: 'added', after: b }];
  return diffConfigs(a, b, path);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIdList(list: unknown[]): list is Record<string, unknown>[] {
  return list.every((item) => isRecord(item) && typeof item.id === 'string');
}
