/**
 * Rime's models as its docs list them (docs.rime.ai/docs/models, the voices pages, the /ws3 API
 * cheat sheet): the speakers each serves, the languages it speaks and its default sampling rate.
 * The speaker lists are the voices this emulator serves (a subset of Rime's catalogue); a speaker a
 * model does not have is refused, as Rime refuses it.
 */
export interface RimeModelSpec {
  speakers: readonly string[];
  /** `lang` values (ISO 639-2, as Rime documents them: eng, spa, fra, ger, …). */
  languages: readonly string[];
  /** mist models take at most 500 characters per request. */
  maxTextLength?: number;
}

const MIST_V2_SPEAKERS = [
  'cove',
  'lagoon',
  'marsh',
  'moraine',
  'bayou',
  'creek',
  'brook',
  'abbie',
  'allison',
  'amber',
];

export const RIME_MODEL_SPECS: Readonly<Record<string, RimeModelSpec>> = {
  coda: {
    speakers: ['astra', 'lyra', 'celeste', 'orion', 'luna', 'ursa', 'andromeda', 'esther', 'estelle'],
    languages: ['eng', 'spa', 'fra', 'ger', 'por', 'jpn'],
  },
  mistv3: {
    speakers: ['cove', 'astra', 'lagoon', 'marsh', 'moraine', 'bayou', 'creek', 'brook', 'abbie', 'allison'],
    languages: ['eng', 'spa', 'fra', 'ger', 'hin'],
    maxTextLength: 500,
  },
  mistv2: { speakers: MIST_V2_SPEAKERS, languages: ['eng', 'spa', 'fra', 'ger'], maxTextLength: 500 },
  mist: { speakers: MIST_V2_SPEAKERS, languages: ['eng'], maxTextLength: 500 },
  arcana: {
    speakers: ['luna', 'celeste', 'orion', 'ursa', 'astra', 'esther', 'estelle', 'andromeda'],
    languages: ['eng', 'spa', 'fra', 'ger', 'hin', 'heb', 'jpn', 'por', 'ara'],
  },
  arcanav2: {
    speakers: ['luna', 'celeste', 'orion', 'ursa', 'astra', 'esther', 'estelle', 'andromeda'],
    languages: ['eng', 'spa', 'fra', 'ger', 'hin', 'heb', 'jpn', 'por', 'ara'],
  },
};

export const RIME_MODELS = Object.keys(RIME_MODEL_SPECS);

/** `POST /v1/rime-tts` without `modelId` is served by mistv2 (the HTTP reference's default). */
export const DEFAULT_HTTP_MODEL = 'mistv2';
/** `/ws3` without `modelId` is served by the Mist v3 backend (Rime's API cheat sheet). */
export const DEFAULT_WS3_MODEL = 'mistv3';

/** Rime's documented default `samplingRate` per model. */
export function defaultSamplingRate(modelId: string): number {
  return modelId.startsWith('mist') ? 22050 : 24000;
}

export function maxTextLength(modelId: string): number | undefined {
  return RIME_MODEL_SPECS[modelId]?.maxTextLength;
}

export function isKnownModel(modelId: string): boolean {
  return Object.hasOwn(RIME_MODEL_SPECS, modelId);
}

/** Two-letter tags some Rime pages show, mapped to the three-letter codes the API documents. */
const TWO_LETTER: Record<string, string> = {
  en: 'eng',
  es: 'spa',
  fr: 'fra',
  de: 'ger',
  pt: 'por',
  ja: 'jpn',
  hi: 'hin',
  he: 'heb',
  ar: 'ara',
};

/**
 * Why a model/speaker/lang combination is refused, or undefined when Rime would serve it. Call only
 * with a known model.
 */
export function checkVoice(modelId: string, speaker: string, lang: string | undefined): string | undefined {
  const spec = RIME_MODEL_SPECS[modelId]!;
  if (!spec.speakers.includes(speaker)) {
    return `speaker ${speaker} is not available for model ${modelId}`;
  }
  if (lang !== undefined) {
    const code = TWO_LETTER[lang] ?? lang;
    if (!spec.languages.includes(code)) {
      return `lang ${lang} is not supported by model ${modelId} (use one of ${spec.languages.join(', ')})`;
    }
  }
  return undefined;
}
