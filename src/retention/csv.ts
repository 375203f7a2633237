/** RFC 4180 CSV with a header row; cells that a spreadsheet would run as a formula are quoted with a leading `'`. */
export function toCsv<T>(
  columns: ReadonlyArray<readonly [header: string, value: (row: T) => unknown]>,
  rows: T[],
) {
  const line = (cells: unknown[]) => cells.map(cell).join(',');
  return `${[line(columns.map(([h]) => h)), ...rows.map((r) => line(columns.map(([, v]) => v(r))))].join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
