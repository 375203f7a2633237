import { describe, expect, it } from 'vitest';
import { sniffLogo } from './logo-image.js';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffLogo', () => {
  it('recognises PNG, JPEG and WebP by their magic bytes', () => {
    expect(sniffLogo(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toBe('image/png');
    expect(sniffLogo(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffLogo(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
  });

  it('refuses SVG, GIF, truncated headers and look-alikes', () => {
    expect(sniffLogo(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffLogo(bytes('<?xml version="1.0"?><svg/>'))).toBeNull();
    expect(sniffLogo(bytes('GIF89a'))).toBeNull();
    expect(sniffLogo(bytes([0x89], 'PNG'))).toBeNull();
    expect(sniffLogo(bytes('RIFF', [1, 2, 3, 4], 'WAVE'))).toBeNull();
    expect(sniffLogo(new Uint8Array())).toBeNull();
  });
});
