import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { err, ok, type Result } from '../../lib/result.js';

/** A phone number typed by a person or sent by a carrier, read: the E.164 form or what is wrong with it. */
export type E164Result = Result<string, string>;

/**
 * Normalises a phone number to E.164 (`+` then 8 to 15 digits, no leading zero): separators
 * (spaces, dots, dashes, parentheses) are dropped and a `00` international prefix becomes `+`.
 * A number without a country code is refused rather than guessed; the country calling code must
 * exist and the length must be possible for it (libphonenumber-js metadata).
 */
export function normaliseE164(input: string): E164Result {
  const trimmed = input.trim();
  if (trimmed === '') return err('is empty');
  if (!/^[+0-9 ().\-/]+$/.test(trimmed)) {
    return err('may hold only digits, a leading +, spaces, dots, dashes and parentheses');
  }
  let digits = trimmed.replace(/[^0-9+]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (!digits.startsWith('+')) return err('needs its country code, e.g. +1 415 555 0100');
  const national = digits.slice(1);
  if (national.includes('+')) return err('has a + in the middle');
  if (national.startsWith('0')) return err('country codes do not start with 0');
  if (national.length < 8 || national.length > 15) return err('must have 8 to 15 digits after the +');
  const parsed = parsePhoneNumberFromString(`+${national}`);
  if (!parsed) return err('has no known country calling code');
  if (!parsed.isPossible())
    return err(`is not a possible length for country code +${parsed.countryCallingCode}`);
  return ok(parsed.number);
}
