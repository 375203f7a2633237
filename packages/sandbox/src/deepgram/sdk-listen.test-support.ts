// Test support: drives the real @deepgram/sdk v5 live client against an emulator.
import { DeepgramClient, type listen } from '@deepgram/sdk';
import {
  concatPcm,
  mulawEncode,
  pcm16ToBytes,
  SANDBOX_SAMPLE_RATE,
  silence,
  synthesizeSpeech,
} from '../audio/index.js';

export type ListenMessage =
  | listen.v1.ListenV1Results
  | listen.v1.ListenV1Metadata
  | listen.v1.ListenV1UtteranceEnd
  | listen.v1.ListenV1SpeechStarted;

type ConnectArgs = Parameters<DeepgramClient['listen']['v1']['connect']>[0];
type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;

export interface SdkListen {
  socket: ListenSocket;
  messages: ListenMessage[];
  /** The first message (already received or coming) of a type that matches. */
  waitFor<T extends ListenMessage['type']>(
    type: T,
    match?: (message: Extract<ListenMessage, { type: T }>) => boolean,
  ): Promise<Extract<ListenMessage, { type: T }>>;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends audio as binary frames of `chunkBytes`, as fast as the socket takes them. */
  sendAudio(bytes: Uint8Array, chunkBytes: number): void;
}

export const PHONE_ARGS = {
  model: 'nova-3',
  encoding: 'mulaw',
  sample_rate: 8000,
  channels: 1,
  interim_results: 'true',
  endpointing: 300,
  utterance_end_ms: 1000,
  vad_events: 'true',
  punctuate: 'true',
  smart_format: 'true',
} as const;

export async function openSdkListen(
  baseUrl: string,
  apiKey: string,
  args: Partial<ConnectArgs> = {},
): Promise<SdkListen> {
  const client = new DeepgramClient({ apiKey, baseUrl });
  const socket = await client.listen.v1.connect({
    ...PHONE_ARGS,
    Authorization: `Token ${apiKey}`,
    reconnectAttempts: 0,
    ...args,
  });
  const messages: ListenMessage[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (message) => {
    messages.push(message);
    for (const listener of listeners) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (event) => resolve({ code: event.code, reason: event.reason }));
  });
  socket.connect();
  await socket.waitForOpen();

  return {
    socket,
    messages,
    closed,
    waitFor: (type, match) =>
      new Promise((resolve) => {
        type Wanted = Extract<ListenMessage, { type: typeof type }>;
        const check = () => {
          const found = messages.find((m): m is Wanted => m.type === type && (!match || match(m as Wanted)));
          if (!found) return false;
          listeners.delete(check);
          resolve(found);
          return true;
        };
        if (!check()) listeners.add(check);
      }),
    sendAudio: (bytes, chunkBytes) => {
      for (let i = 0; i < bytes.length; i += chunkBytes) socket.sendMedia(bytes.subarray(i, i + chunkBytes));
    },
  };
}

/** Phone audio (μ-law 8 kHz) of sentences, each after `gapMs` of silence, then `tailMs` of silence. */
export function phoneSpeech(sentences: string[], gapMs = 200, tailMs = 1200): Buffer {
  return mulawEncode(speechPcm(sentences, SANDBOX_SAMPLE_RATE, gapMs, tailMs));
}

export function linear16Speech(sentences: string[], sampleRate: number, gapMs = 200, tailMs = 1200): Buffer {
  return pcm16ToBytes(speechPcm(sentences, sampleRate, gapMs, tailMs));
}

function speechPcm(sentences: string[], sampleRate: number, gapMs: number, tailMs: number): Int16Array {
  return concatPcm([
    ...sentences.flatMap((s) => [silence(gapMs, sampleRate), synthesizeSpeech(s, sampleRate)]),
    silence(tailMs, sampleRate),
  ]);
}

export function results(messages: ListenMessage[]): listen.v1.ListenV1Results[] {
  return messages.filter((m): m is listen.v1.ListenV1Results => m.type === 'Results');
}

export function finals(messages: ListenMessage[]): listen.v1.ListenV1Results[] {
  return results(messages).filter((m) => m.is_final === true);
}

export function transcriptOf(message: listen.v1.ListenV1Results): string {
  return message.channel.alternatives[0]?.transcript ?? '';
}
