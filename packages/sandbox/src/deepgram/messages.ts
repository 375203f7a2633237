import type { listen } from '@deepgram/sdk';
import type { SpeechWord } from '../audio/index.js';

// Server → client frames, typed with the real SDK's own message types so that a field the SDK
// expects cannot go missing here.
export type ResultsMessage = listen.v1.ListenV1Results;
export type SpeechStartedMessage = listen.v1.ListenV1SpeechStarted;
export type UtteranceEndMessage = listen.v1.ListenV1UtteranceEnd;
export type MetadataMessage = listen.v1.ListenV1Metadata & {
  models: string[];
  model_info: Record<string, { name: string; version: string; arch: string }>;
};
export type ServerMessage = ResultsMessage | SpeechStartedMessage | UtteranceEndMessage | MetadataMessage;

export interface ModelDescription {
  /** As requested, e.g. `nova-3`. */
  requested: string;
  uuid: string;
  name: string;
  version: string;
  arch: string;
}

export function describeModel(model: string): ModelDescription {
  const arch = /^(nova-3|nova-2|nova|enhanced|base|whisper)/.exec(model)?.[1] ?? model;
  const tier = model.slice(arch.length).replace(/^-/, '') || 'general';
  return {
    requested: model,
    // Stable per model name, so tests can compare it.
    uuid: `00000000-0000-4000-8000-${Buffer.from(model).toString('hex').padEnd(12, '0').slice(0, 12)}`,
    name: `${tier}-${arch}`,
    version: '2025-01-01.0',
    arch,
  };
}

export interface TranscriptSegment {
  /** Decoded text as spoken (lowercase, with punctuation). */
  text: string;
  words: SpeechWord[];
  startMs: number;
  endMs: number;
}

export interface ResultsOptions {
  channel: number;
  channels: number;
  isFinal: boolean;
  speechFinal: boolean;
  fromFinalize: boolean;
  punctuate: boolean;
  requestId: string;
  model: ModelDescription;
}

const PUNCTUATION_EDGES = /^[^a-z0-9\uFFFD]+|[^a-z0-9\uFFFD]+$/g;

/** A `Results` frame for one stretch of decoded speech. */
export function resultsMessage(segment: TranscriptSegment, options: ResultsOptions): ResultsMessage {
  const words = segment.words.flatMap((w) => {
    const bare = w.word.replace(PUNCTUATION_EDGES, '');
    if (!bare) return [];
    const damaged = w.word.includes('\uFFFD');
    return [
      {
        word: bare,
        start: seconds(w.startMs),
        end: seconds(w.endMs),
        confidence: damaged ? 0.3 : 0.99,
        ...(options.punctuate ? { punctuated_word: w.word } : {}),
      },
    ];
  });
  const transcript = options.punctuate ? segment.text.trim() : words.map((w) => w.word).join(' ');
  const confidence = words.length === 0 ? 0 : words.reduce((sum, w) => sum + w.confidence, 0) / words.length;
  return {
    type: 'Results',
    channel_index: [options.channel, options.channels],
    duration: seconds(Math.max(0, segment.endMs - segment.startMs)),
    start: seconds(segment.startMs),
    is_final: options.isFinal,
    speech_final: options.speechFinal,
    from_finalize: options.fromFinalize,
    channel: { alternatives: [{ transcript, confidence: round(confidence), words }] },
    metadata: {
      request_id: options.requestId,
      model_info: { name: options.model.name, version: options.model.version, arch: options.model.arch },
      model_uuid: options.model.uuid,
    },
  };
}

/** `{"type":"SpeechStarted","channel":[0,1],"timestamp":9.54}`: channel index and count, as Deepgram sends it. */
export function speechStartedMessage(channel: number, channels: number, atMs: number): SpeechStartedMessage {
  return { type: 'SpeechStarted', channel: [channel, channels], timestamp: seconds(atMs) };
}

export function utteranceEndMessage(
  channel: number,
  channels: number,
  lastWordEndMs: number,
): UtteranceEndMessage {
  return { type: 'UtteranceEnd', channel: [channel, channels], last_word_end: seconds(lastWordEndMs) };
}

export function metadataMessage(input: {
  requestId: string;
  sha256: string;
  created: Date;
  durationSeconds: number;
  channels: number;
  model: ModelDescription;
}): MetadataMessage {
  const { model } = input;
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: input.requestId,
    sha256: input.sha256,
    created: input.created.toISOString(),
    duration: round(input.durationSeconds),
    channels: input.channels,
    models: [model.uuid],
    model_info: { [model.uuid]: { name: model.name, version: model.version, arch: model.arch } },
  };
}

function seconds(ms: number): number {
  return round(ms / 1000);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
