import { describe, expect, it } from 'vitest';
import { isRealDateTime } from './dates.js';
import { firstJsonProblem, isSafeText, MAX_JSON_DEPTH } from './safe-json.js';

describe('safe text', () => {
  it.each([
    ['plain', true],
    ['emoji 😀 pairs are fine', true],
    ['a\u0000b', false],
    ['lone high \ud800', false],
    ['lone low \udc00 x', false],
    ['reversed \udc00\ud800', false],
  ])('%j → %s', (text, safe) => expect(isSafeText(text)).toBe(safe));

  it('finds unsafe keys and values anywhere, and nesting past the limit', () => {
    expect(firstJsonProblem({ a: [{ b: 'x\u0000' }] })).toEqual({ kind: 'text', path: '/a/0/b' });
    expect(firstJsonProblem({ 'k\ud800': 1 })).toMatchObject({ kind: 'text' });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(firstJsonProblem(deep)).toMatchObject({ kind: 'depth' });
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = [ok];
    expect(firstJsonProblem(ok)).toBeUndefined();
  });
});

describe('real date-times', () => {
  it.each([
    ['2026-11-29T23:59:59Z', true],
    ['2024-02-29T12:00:00.123+01:00', true],
    ['0001-01-01T00:00:00Z', true],
    ['2026-11-29T23:59:60Z', false],
    ['0000-01-01T00:00:00Z', false],
    ['2025-02-29T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-01-01T24:00:00Z', false],
    ['2026-01-01T00:00:00+25:00', false],
    ['2026-01-01', false],
  ])('%s → %s', (text, ok) => expect(isRealDateTime(text)).toBe(ok));
});
