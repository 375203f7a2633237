import { randomBytes } from 'node:crypto';

export interface InboundCallIdentity {
  accountSid: string;
  callSid: string;
  from: string;
  to: string;
}

const COUNTRY_BY_PREFIX: [string, string][] = [
  ['+1', 'US'],
  ['+44', 'GB'],
  ['+33', 'FR'],
  ['+49', 'DE'],
];

function countryOf(number: string): string {
  return COUNTRY_BY_PREFIX.find(([prefix]) => number.startsWith(prefix))?.[1] ?? '';
}

/**
 * The parameters of Twilio's first voice webhook for an inbound call, including the legacy
 * `Caller*`/`Called*` duplicates and the geographic fields (empty when Twilio could not look
 * them up). `overrides` adds or replaces fields (SIP params, `CallerName`, `ForwardedFrom`, …).
 */
export function inboundCallParams(
  call: InboundCallIdentity,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const geo = (prefix: string, number: string): Record<string, string> => ({
    [`${prefix}City`]: '',
    [`${prefix}State`]: '',
    [`${prefix}Zip`]: '',
    [`${prefix}Country`]: countryOf(number),
  });
  const params: Record<string, string> = {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.callSid,
    CallStatus: 'ringing',
    CallToken: randomBytes(48).toString('base64url'),
    Direction: 'inbound',
    From: call.from,
    To: call.to,
    Caller: call.from,
    Called: call.to,
    ...geo('From', call.from),
    ...geo('To', call.to),
    ...geo('Caller', call.from),
    ...geo('Called', call.to),
  };
  return { ...params, ...overrides };
}
