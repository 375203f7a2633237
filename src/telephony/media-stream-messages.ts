import { z } from 'zod';

/** Messages Twilio sends on a Media Streams socket (counters are JSON strings on the wire). */
export const TwilioStreamMessage = z.discriminatedUnion('event', [
  z.object({ event: z.literal('connected') }),
  z.object({
    event: z.literal('start'),
    streamSid: z.string(),
    start: z.object({
      streamSid: z.string(),
      accountSid: z.string(),
      callSid: z.string(),
      tracks: z.array(z.string()).default([]),
      mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }),
      customParameters: z.record(z.string(), z.string()).default({}),
    }),
  }),
  z.object({
    event: z.literal('media'),
    streamSid: z.string(),
    media: z.object({
      track: z.string().optional(),
      chunk: z.string().optional(),
      timestamp: z.string(),
      payload: z.string(),
    }),
  }),
  z.object({ event: z.literal('dtmf'), streamSid: z.string(), dtmf: z.object({ digit: z.string() }) }),
  z.object({ event: z.literal('mark'), streamSid: z.string(), mark: z.object({ name: z.string() }) }),
  z.object({ event: z.literal('stop'), streamSid: z.string() }),
]);
export type TwilioStreamMessage = z.infer<typeof TwilioStreamMessage>;
export type StreamStart = Extract<TwilioStreamMessage, { event: 'start' }>['start'];

/** Parses one text frame; undefined for anything that is not a known Twilio message. */
export function parseStreamMessage(raw: string): TwilioStreamMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = TwilioStreamMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export const mediaMessage = (streamSid: string, mulaw: Buffer): string =>
  JSON.stringify({ event: 'media', streamSid, media: { payload: mulaw.toString('base64') } });

export const markMessage = (streamSid: string, name: string): string =>
  JSON.stringify({ event: 'mark', streamSid, mark: { name } });

export const clearMessage = (streamSid: string): string => JSON.stringify({ event: 'clear', streamSid });
