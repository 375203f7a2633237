export type AudioEncoding = 'linear16' | 'mulaw';

/** The query parameters of `/v1/listen` that change what the emulator sends. */
export interface ListenParams {
  model: string;
  language: string;
  encoding: AudioEncoding;
  sampleRate: number;
  channels: number;
  multichannel: boolean;
  interimResults: boolean;
  /** Ms of silence that ends a phrase (`speech_final`), or false. */
  endpointing: number | false;
  /** Ms without words before `UtteranceEnd`; only with interim results. */
  utteranceEndMs: number | undefined;
  vadEvents: boolean;
  /** `punctuate` or `smart_format`: transcripts keep punctuation and words get `punctuated_word`. */
  punctuate: boolean;
}

export type ParamsResult = { ok: true; params: ListenParams } | { ok: false; message: string };

/** Encodings real Deepgram accepts for raw audio; only linear16 and mulaw can be decoded here. */
const KNOWN_ENCODINGS = new Set([
  'linear16',
  'linear32',
  'flac',
  'alaw',
  'mulaw',
  'amr-nb',
  'amr-wb',
  'opus',
  'ogg-opus',
  'speex',
  'g729',
]);
const MODEL_PATTERN = /^(nova-3|nova-2|nova|enhanced|base|whisper)(-[a-z0-9]+)*$/;
/** Deepgram's documented default endpointing. */
const DEFAULT_ENDPOINTING_MS = 10;

export function parseListenParams(query: URLSearchParams, models?: readonly string[]): ParamsResult {
  const model = query.get('model') ?? 'base';
  const knownModel = models ? models.includes(model) : MODEL_PATTERN.test(model);
  if (!knownModel) return fail('No such model/language/tier combination found.');

  const encoding = query.get('encoding');
  if (encoding === null) return fail('The emulator needs raw audio: set encoding (linear16 or mulaw).');
  if (!KNOWN_ENCODINGS.has(encoding)) return fail(`Invalid encoding: ${encoding}`);
  if (encoding !== 'linear16' && encoding !== 'mulaw') {
    return fail(`The emulator decodes only linear16 and mulaw, not ${encoding}.`);
  }
  const sampleRate = integer(query.get('sample_rate'));
  if (sampleRate === undefined) return fail('sample_rate is required when encoding is set.');
  if (sampleRate < 8000 || sampleRate > 96000) return fail(`Invalid sample_rate: ${sampleRate}`);
  const channels = integer(query.get('channels') ?? '1');
  if (channels === undefined || channels < 1 || channels > 8) return fail('Invalid channels');

  const endpointingRaw = query.get('endpointing');
  let endpointing: number | false = DEFAULT_ENDPOINTING_MS;
  if (endpointingRaw === 'false') endpointing = false;
  else if (endpointingRaw === 'true') endpointing = DEFAULT_ENDPOINTING_MS;
  else if (endpointingRaw !== null) {
    const ms = integer(endpointingRaw);
    if (ms === undefined) return fail(`Invalid endpointing: ${endpointingRaw}`);
    endpointing = ms;
  }
  const utteranceEndRaw = query.get('utterance_end_ms');
  const utteranceEndMs = utteranceEndRaw === null ? undefined : integer(utteranceEndRaw);
  if (utteranceEndRaw !== null && utteranceEndMs === undefined) {
    return fail(`Invalid utterance_end_ms: ${utteranceEndRaw}`);
  }

  return {
    ok: true,
    params: {
      model,
      language: query.get('language') ?? 'en',
      encoding,
      sampleRate,
      channels,
      multichannel: flag(query, 'multichannel'),
      interimResults: flag(query, 'interim_results'),
      endpointing,
      utteranceEndMs,
      vadEvents: flag(query, 'vad_events'),
      punctuate: flag(query, 'punctuate') || flag(query, 'smart_format'),
    },
  };
}

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name) === 'true';
}

function integer(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function fail(message: string): ParamsResult {
  return { ok: false, message };
}
