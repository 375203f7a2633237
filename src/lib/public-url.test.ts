import { describe, expect, it } from 'vitest';
import { baseUrlFor, PublicUrl } from './public-url.js';

describe('PublicUrl', () => {
  it('brackets IPv6, maps wildcard binds to loopback and keeps the real port', () => {
    expect(baseUrlFor('::1', 4000)).toBe('http://[::1]:4000');
    expect(baseUrlFor('::', 4000)).toBe('http://[::1]:4000');
    expect(baseUrlFor('0.0.0.0', 4000)).toBe('http://127.0.0.1:4000');
    const url = new PublicUrl(undefined);
    expect(() => url.get()).toThrow(/before the server listens/);
    url.resolveFromAddress({ address: '::1', family: 'IPv6', port: 43210 });
    expect(url.get()).toBe('http://[::1]:43210');
  });

  it('keeps a configured PUBLIC_URL over the listening address', () => {
    const url = new PublicUrl('https://voice.example.com/');
    url.resolveFromAddress({ address: '127.0.0.1', family: 'IPv4', port: 1 });
    expect(url.get()).toBe('https://voice.example.com');
  });
});
