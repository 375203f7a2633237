/** Values a reply or tool-argument template can reach. */
export interface TemplateContext {
  /** Parsed tool result JSON, when there is one. */
  data: unknown;
  user: string;
  result: string;
}

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

/** Renders `{{a.b}}` from `data`, `{{$user}}` and `{{$result}}`; a missing value renders as ''. */
export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    if (path === '$user') return context.user;
    if (path === '$result') return context.result;
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
