/** Telephony: Twilio webhooks and TwiML, the Media Streams transport, and the LiveKit SIP path. */
export { acceptMediaStream } from './accept-media-stream.js';
export { createVoiceService, type VoiceServiceOverrides } from './create-voice-service.js';
export {
  type LiveKitCredentials,
  type ProvisionedLiveKit,
  provisionLiveKit,
} from './livekit/provision-livekit.js';
export { runLiveKitCall } from './livekit/run-livekit-call.js';
export {
  callIdentityFromAttributes,
  HEADERS_TO_ATTRIBUTES,
  PARTICIPANT_ATTRIBUTES,
  SIP_HEADERS,
  type SipCallIdentity,
} from './livekit/sip-headers.js';
export { MediaStreamAudioOutput, type MediaStreamSink } from './media-stream-audio-output.js';
export { MULAW_SILENCE, mulawDecode, mulawEncode } from './mulaw.js';
export { StreamTokens } from './stream-token.js';
export { TwilioMediaStreamIO } from './twilio-media-stream-io.js';
export { connectStreamTwiml, dialSipTwiml, hangupTwiml, sayAndHangupTwiml } from './twiml.js';
export {
  CONNECT_ACTION_PATH,
  MEDIA_PATH,
  STATUS_PATH,
  VOICE_PATH,
  VoiceService,
  type VoiceServiceOptions,
} from './voice-service.js';
