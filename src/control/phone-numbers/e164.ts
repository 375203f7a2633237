import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Result of reading a phone number typed by a person or sent by a carrier. */
export type E164Result = { ok: true; e164: string } | { ok: false; message: string };

/**
 * Normalises a phone number to E.164 (`+` then 8 to 15 digits, no leading zero): separators
 * (spaces, dots, dashes, parentheses) are dropped and a `00` international prefix becomes `+`.
 * A number without a country code is refused rather than guessed; the country calling code must
 * exist and the length must be possible for it (libphonenumber-js metadata).
 */
export function normaliseE164(input: string): E164Result {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: 'is empty' };
  if (!/^[+0-9 ().\-/]+$/.test(trimmed)) {
    return { ok: false, message: 'may hold only digits, a leading +, spaces, dots, dashes and parentheses' };
  }
  let digits = trimmed.replace(/[^0-9+]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (!digits.startsWith('+')) return { ok: false, message: 'needs its country code, e.g. +1 415 555 0100' };
  const national = digits.slice(1);
  if (national.includes('+')) return { ok: false, message: 'has a + in the middle' };
  if (national.startsWith('0')) return { ok: false, message: 'country codes do not start with 0' };
  if (national.length < 8 || national.length > 15)
    return { ok: false, message: 'must have 8 to 15 digits after the +' };
  const parsed = parsePhoneNumberFromString(`+${national}`);
  if (!parsed) return { ok: false, message: 'has no known country calling code' };
  if (!parsed.isPossible())
    return { ok: false, message: `is not a possible length for country code +${parsed.countryCallingCode}` };
  return { ok: true, e164: parsed.number };
}
