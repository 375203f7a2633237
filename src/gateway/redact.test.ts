import { describe, expect, it } from 'vitest';
import { redactDeep, storedBody, storedHeaders } from './redact.js';

describe('redaction', () => {
  it('removes secrets from nested values and keys', () => {
    expect(redactDeep({ a: ['x-s3cret-x', { s3cret: 1 }], n: 2 }, ['s3cret'])).toEqual({
      a: ['x-[redacted]-x', { '[redacted]': 1 }],
      n: 2,
    });
  });

  it('truncates stored bodies by bytes and hides secret headers', () => {
    expect(storedBody('héllo wörld', 6, [])).toEqual({ text: 'héllo', bytes: 13, truncated: true });
    expect(storedHeaders({ 'x-key': 'abc', accept: 'json' }, ['X-Key'], [])).toEqual({
      'x-key': '[redacted]',
      accept: 'json',
    });
  });
});
