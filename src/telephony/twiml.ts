import twilio from 'twilio';

const { VoiceResponse } = twilio.twiml;

/** Bridges the call to our Media Streams socket; Twilio requests `actionUrl` once the socket closes. */
export function connectStreamTwiml(options: {
  streamUrl: string;
  actionUrl: string;
  statusCallbackUrl?: string;
  parameters: Record<string, string>;
}): string {
  const response = new VoiceResponse();
  const connect = response.connect({ action: options.actionUrl, method: 'POST' });
  const stream = connect.stream({
    url: options.streamUrl,
    ...(options.statusCallbackUrl
      ? { statusCallback: options.statusCallbackUrl, statusCallbackMethod: 'POST' }
      : {}),
  });
  for (const [name, value] of Object.entries(options.parameters)) stream.parameter({ name, value });
  return response.toString();
}

/** Says something, then hangs up (rejections, and the apology after a failure). */
export function sayAndHangupTwiml(text: string, language?: string): string {
  const response = new VoiceResponse();
  if (text) response.say(language ? { language: language as 'en-US' } : {}, text);
  response.hangup();
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}

/**
 * Dials the call into LiveKit SIP. Our ids travel as `x-` SIP headers in the URI, which the
 * LiveKit inbound trunk maps to participant attributes.
 */
export function dialSipTwiml(options: {
  sipUri: string;
  headers: Record<string, string>;
  username?: string;
  password?: string;
}): string {
  const response = new VoiceResponse();
  const dial = response.dial({ answerOnBridge: true });
  const query = Object.entries(options.headers)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  dial.sip(
    {
      ...(options.username ? { username: options.username } : {}),
      ...(options.password ? { password: options.password } : {}),
    },
    query ? `${options.sipUri}?${query}` : options.sipUri,
  );
  return response.toString();
}
