export {
  type CallEnd,
  type CallEndedBy,
  type CallEvent,
  type CallStatus,
  type DialOutcome,
  EmulatedCall,
  type PlaceCallOptions,
  placeCall,
} from './call.js';
export {
  type EmulatorCallOptions,
  startTwilioEmulator,
  type TwilioEmulator,
  type TwilioEmulatorOptions,
} from './emulator.js';
export { isTwilioSid, newTwilioSid } from './ids.js';
export type { AppStreamMessage, TwilioStreamMessage } from './media-stream-messages.js';
export {
  FRAME_BYTES,
  FRAME_MS,
  MediaStreamHandshakeError,
  type MediaStreamOptions,
  MediaStreamSession,
  MULAW_SAMPLE_RATE,
  MULAW_SILENCE,
  type StreamEnd,
  type StreamStats,
} from './media-stream-session.js';
export type { IncomingPhoneNumber, PhoneNumberConfig } from './phone-numbers.js';
export { EmulatorRequestClient, rewriteTwilioUrl, twilioClientForEmulator } from './rest-client.js';
export { bodySha256Hex, signJsonWebhook, type TwilioParams, twilioSignature } from './signature.js';
export {
  type DialTarget,
  type HttpMethod,
  parseTwiml,
  type SipTarget,
  type StreamSpec,
  type TwimlError,
  type TwimlParseResult,
  type TwimlVerb,
} from './twiml.js';
export { inboundCallParams } from './webhook-params.js';
export {
  DEFAULT_WEBHOOK_RETRY,
  type TwilioError,
  type WebhookAttempt,
  type WebhookRetryPolicy,
} from './webhook-request.js';
