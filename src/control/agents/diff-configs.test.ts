import { describe, expect, it } from 'vitest';
import { diffConfigs } from './diff-configs.js';

describe('diffConfigs', () => {
  it('reports changed, added and removed leaves by path', () => {
    expect(
      diffConfigs(
        { a: 1, b: { c: 'x', d: [1, 2] }, gone: true },
        { a: 1, b: { c: 'y', d: [1, 3, 4] }, added: null },
      ),
    ).toEqual([
      { path: 'b.c', kind: 'changed', before: 'x', after: 'y' },
      { path: 'b.d[1]', kind: 'changed', before: 2, after: 3 },
      { path: 'b.d[2]', kind: 'added', after: 4 },
      { path: 'gone', kind: 'removed', before: true },
      { path: 'added', kind: 'added', after: null },
    ]);
  });

  it('matches lists of objects by id, so reordering is no change', () => {
    const one = { id: 'tool_1', timeoutMs: 1 };
    const two = { id: 'tool_2', timeoutMs: 2 };
    expect(diffConfigs({ tools: [one, two] }, { tools: [two, one] })).toEqual([]);
    expect(diffConfigs({ tools: [one, two] }, { tools: [{ ...two, timeoutMs: 5 }] })).toEqual([
      { path: 'tools[tool_1]', kind: 'removed', before: one },
      { path: 'tools[tool_2].timeoutMs', kind: 'changed', before: 2, after: 5 },
    ]);
  });

  it('treats a type change as one change', () => {
    expect(diffConfigs({ a: { b: 1 } }, { a: [1] })).toEqual([
      { path: 'a', kind: 'changed', before: { b: 1 }, after: [1] },
    ]);
    expect(diffConfigs({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
