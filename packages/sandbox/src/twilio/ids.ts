import { randomBytes } from 'node:crypto';

/** Twilio resource ids are a two-letter prefix and 32 hex digits (`CA…`, `MZ…`, `PN…`). */
export type TwilioSidPrefix = 'AC' | 'CA' | 'MZ' | 'PN' | 'RE';

export function newTwilioSid(prefix: TwilioSidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isTwilioSid(prefix: TwilioSidPrefix, value: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}
