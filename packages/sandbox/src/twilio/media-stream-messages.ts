import { z } from 'zod';

/** Messages Twilio sends on a Media Streams socket. Counters are JSON strings, as on the wire. */
export interface ConnectedMessage {
  event: 'connected';
  protocol: 'Call';
  version: '1.0.0';
}
export interface StartMessage {
  event: 'start';
  sequenceNumber: string;
  start: {
    accountSid: string;
    streamSid: string;
    callSid: string;
    tracks: string[];
    mediaFormat: { encoding: 'audio/x-mulaw'; sampleRate: number; channels: number };
    customParameters: Record<string, string>;
  };
  streamSid: string;
}
export interface InboundMediaMessage {
  event: 'media';
  sequenceNumber: string;
  media: { track: 'inbound'; chunk: string; timestamp: string; payload: string };
  streamSid: string;
}
export interface DtmfMessage {
  event: 'dtmf';
  streamSid: string;
  sequenceNumber: string;
  dtmf: { track: 'inbound_track'; digit: string };
}
export interface MarkEchoMessage {
  event: 'mark';
  sequenceNumber: string;
  streamSid: string;
  mark: { name: string };
}
export interface StopMessage {
  event: 'stop';
  sequenceNumber: string;
  stop: { accountSid: string; callSid: string };
  streamSid: string;
}
export type TwilioStreamMessage =
  | ConnectedMessage
  | StartMessage
  | InboundMediaMessage
  | DtmfMessage
  | MarkEchoMessage
  | StopMessage;

/** Messages the application may send back on a bidirectional (`<Connect><Stream>`) socket. */
export const AppStreamMessage = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('media'),
    streamSid: z.string(),
    media: z.object({ payload: z.string() }),
  }),
  z.object({
    event: z.literal('mark'),
    streamSid: z.string(),
    mark: z.object({ name: z.string() }),
  }),
  z.object({ event: z.literal('clear'), streamSid: z.string() }),
]);
export type AppStreamMessage = z.infer<typeof AppStreamMessage>;

export const DTMF_DIGIT = /^[0-9*#A-D]$/;
