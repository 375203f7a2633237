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

/** Deepgram's specialised models transcribe English only (Deepgram refuses other languages). */
export const DEEPGRAM_ENGLISH_ONLY_MODELS: readonly string[] = [
  'nova-3-medical',
  'nova-2-phonecall',
  'nova-2-meeting',
  'nova-2-conversationalai',
];

/** Whether Deepgram transcribes `language` (BCP 47) with `model`. */
export function deepgramServesLanguage(model: string, language: string): boolean {
  return !DEEPGRAM_ENGLISH_ONLY_MODELS.includes(model) || language.split('-')[0] === 'en';
}

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
export type OpenAiModel = (typeof OPENAI_MODELS)[number];

/**
 * What a chat-completions request may carry for a model, as the real API enforces it. Reasoning
 * models (gpt-5 family) refuse any `temperature`/`top_p` but the default 1 ("Unsupported value …
 * Only the default (1) value is supported.") and refuse `max_tokens` (they count reasoning tokens
 * in `max_completion_tokens`); the others refuse `reasoning_effort`.
 */
export interface OpenAiModelCapabilities {
  /** `temperature` and `top_p` may be set; otherwise only their default (1) is accepted. */
  sampling: boolean;
  /** Token-limit fields the model accepts; the first is the one to send. */
  tokenLimitFields: readonly ('max_completion_tokens' | 'max_tokens')[];
  /** `reasoning_effort` values the model accepts; empty when it takes none. */
  reasoningEfforts: readonly string[];
  /** Largest completion (output tokens) the model produces. */
  maxOutputTokens: number;
}

const CHAT_MODEL = (maxOutputTokens: number): OpenAiModelCapabilities => ({
  sampling: true,
  tokenLimitFields: ['max_completion_tokens', 'max_tokens'],
  reasoningEfforts: [],
  maxOutputTokens,
});
const REASONING_MODEL: OpenAiModelCapabilities = {
  sampling: false,
  tokenLimitFields: ['max_completion_tokens'],
  reasoningEfforts: ['minimal', 'low', 'medium', 'high'],
  maxOutputTokens: 128_000,
};

/** The capability table: one row per catalog model (platform.openai.com/docs/models). */
export const OPENAI_MODEL_CAPABILITIES: Readonly<Record<OpenAiModel, OpenAiModelCapabilities>> = {
  'gpt-4.1': CHAT_MODEL(32_768),
  'gpt-4.1-mini': CHAT_MODEL(32_768),
  'gpt-4.1-nano': CHAT_MODEL(32_768),
  'gpt-4o': CHAT_MODEL(16_384),
  'gpt-4o-mini': CHAT_MODEL(16_384),
  'gpt-5': REASONING_MODEL,
  'gpt-5-mini': REASONING_MODEL,
  'gpt-5-nano': REASONING_MODEL,
};

/** A model's row of the capability table; undefined for a model outside the catalog. */
export function openAiModelCapabilities(model: string): OpenAiModelCapabilities | undefined {
  return Object.hasOwn(OPENAI_MODEL_CAPABILITIES, model)
    ? OPENAI_MODEL_CAPABILITIES[model as OpenAiModel]
    : undefined;
}

/**
 * The sampling and length parameters to send for an agent's LLM settings: only those the model
 * accepts (a reasoning model gets no temperature; the token limit goes in the field it reads).
 */
export function openAiRequestParameters(
  model: string,
  settings: { temperature: number; maxTokens: number },
): { temperature?: number; maxCompletionTokens: number } {
  const capabilities = openAiModelCapabilities(model) ?? CHAT_MODEL(4096);
  return {
    ...(capabilities.sampling ? { temperature: settings.temperature } : {}),
    // Every catalog model reads max_completion_tokens (the only field reasoning models take).
    maxCompletionTokens: Math.min(settings.maxTokens, capabilities.maxOutputTokens),
  };
}

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
