import { newTwilioSid } from './ids.js';
import type { HttpMethod } from './twiml.js';

export interface IncomingPhoneNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string;
  voiceMethod: HttpMethod;
  voiceFallbackUrl: string;
  statusCallback: string;
  statusCallbackMethod: HttpMethod;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface PhoneNumberConfig {
  phoneNumber: string;
  friendlyName?: string;
  voiceUrl?: string;
  voiceMethod?: HttpMethod;
  voiceFallbackUrl?: string;
  statusCallback?: string;
}

export function newPhoneNumber(config: PhoneNumberConfig): IncomingPhoneNumber {
  const now = new Date();
  return {
    sid: newTwilioSid('PN'),
    phoneNumber: config.phoneNumber,
    friendlyName: config.friendlyName ?? formatNumber(config.phoneNumber),
    voiceUrl: config.voiceUrl ?? '',
    voiceMethod: config.voiceMethod ?? 'POST',
    voiceFallbackUrl: config.voiceFallbackUrl ?? '',
    statusCallback: config.statusCallback ?? '',
    statusCallbackMethod: 'POST',
    dateCreated: now,
    dateUpdated: now,
  };
}

/** `+14155550100` → `(415) 555-0100`, Twilio's friendly form for NANP numbers. */
export function formatNumber(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}
