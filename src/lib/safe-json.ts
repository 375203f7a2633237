/** How deep free-form JSON (tool arguments, tool schemas, request bodies) may nest. */
export const MAX_JSON_DEPTH = 64;

/** NUL, or a UTF-16 surrogate without its partner: text PostgreSQL (and JSON tooling) cannot store. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isSafeText(text: string): boolean {
  return !UNSAFE_TEXT.test(text);
}

export interface JsonProblem {
  kind: 'text' | 'depth';
  /** JSON pointer to the offending value (or key). */
  path: string;
}

/**
 * The first string (value or key) that is not safe text, or the first value nested deeper than
 * `maxDepth`; undefined when there is none. Iterative, so hostile nesting cannot overflow the stack.
 */
export function firstJsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (!isSafeText(item.value)) return { kind: 'text', path: item.path };
      continue;
    }
    if (!item.value || typeof item.value !== 'object') continue;
    if (item.depth >= maxDepth) return { kind: 'depth', path: item.path };
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => {
        stack.push({ value: v, path: `${item.path}/${i}`, depth: item.depth + 1 });
      });
      continue;
    }
    for (const [key, v] of Object.entries(item.value)) {
      const path = `${item.path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isSafeText(key)) return { kind: 'text', path };
      stack.push({ value: v, path, depth: item.depth + 1 });
    }
  }
  return undefined;
}
