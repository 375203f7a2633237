/**
 * Templates over the webhook's output item `{ headers, params, query, body, … }` (n8n's `$json`).
 * `{{body.a}}` and `{{ $json.body.a }}` name the same value.
 */

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^}]+?)\s*\}\}$/;
const SIMPLE_PATH = /^(\$json\.)?[\w$-]+(\.[\w$-]+)*$/;

export function isSimplePath(expression: string): boolean {
  return SIMPLE_PATH.test(expression.trim());
}

export function resolvePath(item: unknown, expression: string): unknown {
  let path = expression.trim();
  if (path === '$json') return item;
  if (path.startsWith('$json.')) path = path.slice('$json.'.length);
  let current = item;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Interpolates every `{{path}}` in a string; unknown paths render as ''. */
export function renderText(template: string, item: unknown): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => asText(resolvePath(item, path)));
}

/** Renders strings inside a JSON value; a string that is one placeholder keeps the value's type. */
export function renderJson(value: unknown, item: unknown): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole?.[1] !== undefined ? resolvePath(item, whole[1]) : renderText(value, item);
  }
  if (Array.isArray(value)) return value.map((entry) => renderJson(entry, item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, renderJson(entry, item)]));
  }
  return value;
}
