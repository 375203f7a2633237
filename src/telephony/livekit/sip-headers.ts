/**
 * How our call identity travels on the LiveKit path: TwiML `<Dial><Sip>` adds these `x-` SIP
 * headers; the inbound trunk maps them to participant attributes; the agent entry reads them back.
 */
export const SIP_HEADERS = {
  callId: 'x-switchboard-call-id',
  tenantId: 'x-switchboard-tenant-id',
} as const;

export const PARTICIPANT_ATTRIBUTES = {
  callId: 'switchboard.call_id',
  tenantId: 'switchboard.tenant_id',
  /** LiveKit's own SIP attributes. */
  caller: 'sip.phoneNumber',
  dialled: 'sip.trunkPhoneNumber',
  sipCallId: 'sip.callID',
} as const;

/** The trunk's header → attribute mapping (SIP header names are case-insensitive). */
export const HEADERS_TO_ATTRIBUTES: Record<string, string> = {
  [SIP_HEADERS.callId]: PARTICIPANT_ATTRIBUTES.callId,
  [SIP_HEADERS.tenantId]: PARTICIPANT_ATTRIBUTES.tenantId,
};

export interface SipCallIdentity {
  callId: string;
  tenantId: string;
  from: string | null;
  to: string | null;
}

/** The call a SIP participant belongs to, from its attributes; undefined when they are missing. */
export function callIdentityFromAttributes(attributes: Record<string, string>): SipCallIdentity | undefined {
  const callId = attributes[PARTICIPANT_ATTRIBUTES.callId];
  const tenantId = attributes[PARTICIPANT_ATTRIBUTES.tenantId];
  if (!callId || !tenantId) return undefined;
  return {
    callId,
    tenantId,
    from: attributes[PARTICIPANT_ATTRIBUTES.caller] || null,
    to: attributes[PARTICIPANT_ATTRIBUTES.dialled] || null,
  };
}
