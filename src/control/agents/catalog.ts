/**
 * Provider ids an agent may be published with. One place to extend when a provider ships a model;
 * the sandbox emulators accept all of these.
 */

/** Deepgram streaming STT models suited to phone audio. */
export const DEEPGRAM_MODELS = [
  'nova-3',
  'nova-3-general',
  'nova-3-medical',
  'nova-2',
  'nova-2-general',
  'nova-2-phonecall',
  'nova-2-meeting',
  'nova-2-conversationalai',
] as const;

/** OpenAI chat-completions models that support streaming and tool calls. */
export const OPENAI_MODELS = [
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
] as const;

/** Rime TTS models and the speakers each offers. Arcana is left out: LiveKit's plugin dropped it. */
export const RIME_SPEAKERS = {
  coda: ['astra', 'lyra', 'celeste', 'orion', 'luna', 'ursa', 'andromeda', 'esther', 'estelle'],
  mistv3: ['cove', 'astra', 'lagoon', 'marsh', 'moraine', 'bayou', 'creek', 'brook', 'abbie', 'allison'],
  mistv2: ['cove', 'lagoon', 'marsh', 'moraine', 'bayou', 'creek', 'brook', 'abbie', 'allison', 'amber'],
} as const satisfies Record<string, readonly string[]>;

export type RimeModel = keyof typeof RIME_SPEAKERS;
export const RIME_MODELS = Object.keys(RIME_SPEAKERS) as RimeModel[];

/** BCP 47 language tags the STT and TTS pair both handle. */
export const LANGUAGES = ['en', 'en-US', 'en-GB', 'en-AU', 'es', 'es-US', 'fr', 'de'] as const;

const includes = (list: readonly string[], value: string) => list.includes(value);

export const isDeepgramModel = (id: string) => includes(DEEPGRAM_MODELS, id);
export const isOpenAiModel = (id: string) => includes(OPENAI_MODELS, id);
export const isRimeModel = (id: string): id is RimeModel => Object.hasOwn(RIME_SPEAKERS, id);
export const isRimeSpeaker = (model: RimeModel, speaker: string) => includes(RIME_SPEAKERS[model], speaker);
export const isLanguage = (tag: string) => includes(LANGUAGES, tag);
