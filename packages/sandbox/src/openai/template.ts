/** Values a reply or tool-argument template can reach. */
export interface TemplateContext {
  /** Parsed tool result JSON, when there is one. */
  data: unknown;
  user: string;
  result: string;
}

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

/**
 * Renders `{{a.b}}` from `data`, `{{$user}}`, `{{$result}}` and `{{$fields}}` (the tool result read
 * out field by field, see speakFields); a missing value renders as ''.
 */
export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    if (path === '$user') return context.user;
    if (path === '$result') return context.result;
    if (path === '$fields') return speakFields(context.data, context.result);
    const value = lookup(context.data, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** Applies renderTemplate to every string inside a JSON value. */
export function renderDeep(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return renderTemplate(value, context);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, context));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(item, context)]));
  }
  return value;
}

function lookup(data: unknown, path: string): unknown {
  let current = data;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Any tool result read out the way a model would summarise it without knowing its shape: the
 * fields of a JSON object as `name: value` pairs (`slot: 10:00, confirmation: ABC`), nested objects
 * in parentheses, arrays as lists, underscores as spaces; text that is not JSON as it is.
 */
export function speakFields(data: unknown, raw: string): string {
  if (data === undefined) return raw.trim();
  return speakValue(data);
}

function speakValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(speakNested).join(', ');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return 'none';
    return entries.map(([key, item]) => `${key.replace(/_+/g, ' ')}: ${speakNested(item)}`).join(', ');
  }
  return String(value);
}

function speakNested(value: unknown): string {
  const spoken = speakValue(value);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? `(${spoken})` : spoken;
}

/** Whether a tool result reports a failure: the gateway hands the model `{ error: {...} }` then. */
export function isErrorResult(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && 'error' in data;
}
