/** The audit summary of a partial update: each field the input sets, as it was before and after. */
export function changeSummary<I extends object>(
  input: I,
  before: Record<keyof I, unknown>,
  after: Record<keyof I, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const changed = Object.keys(input) as (keyof I)[];
  return {
    before: Object.fromEntries(changed.map((k) => [k, before[k]])),
    after: Object.fromEntries(changed.map((k) => [k, after[k]])),
  };
}
