const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * One CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula (starting with
 * = + - @ tab or CR) is prefixed with ' so it shows as text, except plain numbers like +15005550006.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, CRLF-terminated. */
export const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** A whole CSV document with a header row, from named columns. */
export function toCsv<T>(
  columns: ReadonlyArray<readonly [header: string, value: (row: T) => unknown]>,
  rows: T[],
): string {
  return [csvLine(columns.map(([h]) => h)), ...rows.map((r) => csvLine(columns.map(([, v]) => v(r))))].join(
    '',
  );
}
