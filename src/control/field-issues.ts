import { AppError, type ErrorCode } from '../lib/errors.js';

/** One problem with one input field; `field` is a dotted path such as `voice.speaker` or `toolIds[1]`. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Throws `code` listing every issue, when there are any. */
export function throwIfIssues(code: ErrorCode, message: string, issues: readonly FieldIssue[]): void {
  if (issues.length > 0) throw new AppError(code, `${message}: ${describeIssues(issues)}`, issues);
}

export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.field} ${i.message}`).join('; ');
}

/** `/voice/speaker` (a JSON pointer) → `voice.speaker`; numeric segments become `[n]`. */
export function pointerToField(pointer: string, prefix = ''): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix;
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}
