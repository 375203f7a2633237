import { describe, expect, it } from 'vitest';
import { normaliseE164 } from './e164.js';

describe('normaliseE164', () => {
  it.each([
    ['+14155550100', '+14155550100'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['  +44 20 7946 0958 ', '+442079460958'],
    ['0049 30 123456', '+4930123456'],
    ['+33.1.23.45.67.89', '+33123456789'],
  ])('%s → %s', (input, e164) => {
    expect(normaliseE164(input)).toEqual({ ok: true, value: e164 });
  });

  it.each([
    ['4155550100', /country code/],
    ['+0123456789', /start with 0/],
    ['+1415', /8 to 15/],
    ['+1234567890123456', /8 to 15/],
    ['+1 415 CALL NOW', /only digits/],
    ['+1415+5550100', /middle/],
    ['', /empty/],
    ['+999999999999999', /country calling code/],
    ['+2999123', /8 to 15/],
    ['+1234567890123', /possible length/],
  ])('refuses %s', (input, message) => {
    const result = normaliseE164(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
