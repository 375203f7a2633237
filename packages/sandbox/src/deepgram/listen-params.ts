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

/**
 * Languages per streaming model, as Deepgram's models-and-languages page lists them (base
 * language; a regional tag such as en-GB or es-419 counts as its base). Nova-3 and Nova-2 general
 * are multilingual; the specialised models (nova-3-medical, nova-2-phonecall, …) are English-only.
 * Models not listed (base, enhanced, whisper, …) are not checked.
 */
const NOVA_3_LANGUAGES = ['en', 'es', 'fr', 'de', 'hi', 'ru', 'pt', 'ja', 'it', 'nl', 'multi'];
const NOVA_2_LANGUAGES = [
  'en',
  'es',
  'fr',
  'de',
  'hi',
  'ru',
  'pt',
  'ja',
  'it',
  'nl',
  'zh',
  'ko',
  'bg',
  'ca',
  'cs',
  'da',
  'et',
  'fi',
  'el',
  'hu',
  'id',
  'lv',
  'lt',
  'ms',
  'no',
  'pl',
  'ro',
  'sk',
  'sv',
  'th',
  'tr',
  'uk',
  'vi',
  'multi',
];
const ENGLISH_ONLY = ['en'];
export const MODEL_LANGUAGES: Readonly<Record<string, readonly string[]>> = {
  'nova-3': NOVA_3_LANGUAGES,
  'nova-3-general': NOVA_3_LANGUAGES,
  'nova-3-medical': ENGLISH_ONLY,
  'nova-2': NOVA_2_LANGUAGES,
  'nova-2-general': NOVA_2_LANGUAGES,
  'nova-2-phonecall': ENGLISH_ONLY,
  'nova-2-meeting': ENGLISH_ONLY,
  'nova-2-conversationalai': ENGLISH_ONLY,
  'nova-2-medical': ENGLISH_ONLY,
  'nova-2-finance': ENGLISH_ONLY,
  'nova-2-voicemail': ENGLISH_ONLY,
  'nova-2-video': ENGLISH_ONLY,
  'nova-2-drivethru': ENGLISH_ONLY,
  'nova-2-automotive': ENGLISH_ONLY,
  'nova-2-atc': ENGLISH_ONLY,
};

/** Whether Deepgram serves `language` on `model` (true for models outside the table). */
export function servesLanguage(model: string, language: string): boolean {
  const languages = MODEL_LANGUAGES[model];
  if (!languages) return true;
  const base = language === 'multi' ? 'multi' : (language.split('-')[0] ?? '').toLowerCase();
  return languages.includes(base);
}
/** Deepgram's documented default endpointing. */
const DEFAULT_ENDPOINTING_MS = 10;

export function parseListenParams(query: URLSearchParams, models?: readonly string[]): ParamsResult {
  const model = query.get('model') ?? 'base';
  const knownModel = models ? models.includes(model) : MODEL_PATTERN.test(model);
  if (!knownModel) return fail('No such model/language/tier combination found.');
  const language = query.get('language') ?? 'en';
  if (!servesLanguage(model, language)) return fail('No such model/language/tier combination found.');

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
      language,
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
