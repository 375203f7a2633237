/** Keyset pagination over time-ordered ids: newest first, `cursor` is the last id of the previous page. */
export interface PageInput {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Call with limit + 1 rows fetched; trims the extra row and derives the next cursor from the last kept. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
