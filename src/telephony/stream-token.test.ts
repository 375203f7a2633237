import { describe, expect, it } from 'vitest';
import { StreamTokens } from './stream-token.js';

describe('StreamTokens', () => {
  const tokens = new StreamTokens('auth-token', 60_000);
  const issuedAt = new Date('2030-01-01T00:00:00Z');

  it('verifies its own token for the same call until it expires', () => {
    const token = tokens.issue('call_a', issuedAt);
    expect(tokens.issue('call_a', issuedAt)).toBe(token);
    expect(tokens.verify('call_a', token, new Date(issuedAt.getTime() + 59_000))).toBe(true);
    expect(tokens.verify('call_a', token, new Date(issuedAt.getTime() + 61_000))).toBe(false);
  });

  it('refuses another call, another secret and tampering', () => {
    const token = tokens.issue('call_a', issuedAt);
    expect(tokens.verify('call_b', token, issuedAt)).toBe(false);
    expect(new StreamTokens('other', 60_000).verify('call_a', token, issuedAt)).toBe(false);
    const [exp, mac] = token.split('.');
    expect(tokens.verify('call_a', `${Number(exp) + 1000}.${mac}`, issuedAt)).toBe(false);
    expect(tokens.verify('call_a', 'garbage', issuedAt)).toBe(false);
  });
});
