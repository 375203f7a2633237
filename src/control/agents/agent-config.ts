import { type Static, Type } from 'typebox';
import { idPattern } from '../../lib/ids.js';
import { ToolSnapshot } from '../tools/tool-schemas.js';

const Voice = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 64, description: 'Rime model id, e.g. coda' }),
    speaker: Type.String({ minLength: 1, maxLength: 64, description: 'Rime speaker (voice) id' }),
  },
  { additionalProperties: false },
);
const Stt = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 64, description: 'Deepgram model id, e.g. nova-3' }),
    endpointingMs: Type.Integer({ minimum: 10, maximum: 5000, description: 'silence that ends a phrase' }),
  },
  { additionalProperties: false },
);
const Llm = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 64, description: 'OpenAI model id, e.g. gpt-4.1-mini' }),
    temperature: Type.Number({ minimum: 0, maximum: 2 }),
    maxTokens: Type.Integer({ minimum: 1, maximum: 4096, description: 'per reply' }),
  },
  { additionalProperties: false },
);
const Limits = Type.Object(
  {
    maxDurationS: Type.Integer({ minimum: 30, maximum: 7200, description: 'the call ends after this long' }),
    silenceTimeoutS: Type.Integer({
      minimum: 2,
      maximum: 120,
      description: 'caller silence before noAnswer',
    }),
  },
  { additionalProperties: false },
);
const FallbackPhrases = Type.Object(
  {
    noAnswer: Type.String({ maxLength: 500, description: 'said when the caller is silent' }),
    toolSlow: Type.String({ maxLength: 500, description: 'said while a slow tool runs' }),
    error: Type.String({ maxLength: 500, description: 'said when something fails' }),
    goodbye: Type.String({ maxLength: 500, description: 'said when the call is ended by a limit' }),
  },
  { additionalProperties: false },
);

const Analysis = Type.Object(
  {
    enabled: Type.Boolean({
      description: 'analyse each ended call (summary, fields, success); default true',
    }),
    dataSchema: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'JSON Schema (draft 2020-12, an object) of the fields extracted from each call',
      }),
    ),
    successRubric: Type.Optional(
      Type.String({ maxLength: 4000, description: 'what makes a call a success, for the verdict' }),
    ),
  },
  { additionalProperties: false },
);
export type AnalysisSettings = Static<typeof Analysis>;

const common = {
  systemPrompt: Type.String({ maxLength: 20_000 }),
  greeting: Type.String({ maxLength: 1000, description: 'first thing the agent says' }),
  language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Z]{2})?$', description: 'BCP 47, e.g. en-US' }),
  voice: Voice,
  stt: Stt,
  llm: Llm,
  limits: Limits,
  fallbackPhrases: FallbackPhrases,
  /** Outcome labels the agent may report for a call (its built-in `set_outcome` tool), e.g. appointment_booked. */
  outcomeLabels: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), { maxItems: 32, uniqueItems: true }),
  ),
  /** Post-call analysis; absent means enabled with no extracted fields and no rubric. */
  analysis: Type.Optional(Analysis),
};

/** An agent's editable configuration: tools by id, checked against the catalogs only at publish. */
export const AgentDraft = Type.Object(
  {
    ...common,
    toolIds: Type.Array(Type.String({ pattern: idPattern('tool') }), { maxItems: 32, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type AgentDraft = Static<typeof AgentDraft>;

// Type.Partial drops additionalProperties; a patch must still refuse unknown fields.
const partial = <T extends Parameters<typeof Type.Partial>[0]>(t: T) =>
  Type.Partial(t, { additionalProperties: false });

/** A change to a draft: any section, any field of a section. Arrays are replaced whole. */
export const AgentDraftPatch = Type.Object(
  {
    systemPrompt: Type.Optional(common.systemPrompt),
    greeting: Type.Optional(common.greeting),
    language: Type.Optional(common.language),
    voice: Type.Optional(partial(Voice)),
    stt: Type.Optional(partial(Stt)),
    llm: Type.Optional(partial(Llm)),
    limits: Type.Optional(partial(Limits)),
    fallbackPhrases: Type.Optional(partial(FallbackPhrases)),
    toolIds: Type.Optional(AgentDraft.properties.toolIds),
    outcomeLabels: Type.Optional(common.outcomeLabels),
    analysis: Type.Optional(partial(Analysis)),
  },
  { additionalProperties: false },
);
export type AgentDraftPatch = Static<typeof AgentDraftPatch>;

/**
 * The configuration of a published agent version: what the runtime runs. Immutable; tools are
 * frozen in full so later tool edits do not change a live agent.
 */
export const AgentConfig = Type.Object(
  { ...common, tools: Type.Array(ToolSnapshot) },
  { additionalProperties: false },
);
export type AgentConfig = Static<typeof AgentConfig>;

export const DEFAULT_DRAFT: AgentDraft = {
  systemPrompt: '',
  greeting: 'Hello, thanks for calling. How can I help you today?',
  language: 'en-US',
  voice: { model: 'coda', speaker: 'astra' },
  stt: { model: 'nova-3', endpointingMs: 300 },
  llm: { model: 'gpt-4.1-mini', temperature: 0.4, maxTokens: 400 },
  toolIds: [],
  limits: { maxDurationS: 900, silenceTimeoutS: 15 },
  fallbackPhrases: {
    noAnswer: 'Are you still there?',
    toolSlow: 'One moment while I look that up.',
    error: 'Sorry, something went wrong on my side.',
    goodbye: 'Thank you for calling. Goodbye.',
  },
};

/** An agent's analysis settings with the defaults filled in. */
export function analysisSettings(config: { analysis?: AnalysisSettings | undefined }): AnalysisSettings {
  return { enabled: true, ...config.analysis };
}

/** Applies a patch: sections merge field by field, everything else replaces. */
export function applyDraftPatch(draft: AgentDraft, patch: AgentDraftPatch): AgentDraft {
  const { analysis, ...rest } = patch;
  return {
    ...draft,
    ...rest,
    voice: { ...draft.voice, ...patch.voice },
    stt: { ...draft.stt, ...patch.stt },
    llm: { ...draft.llm, ...patch.llm },
    limits: { ...draft.limits, ...patch.limits },
    fallbackPhrases: { ...draft.fallbackPhrases, ...patch.fallbackPhrases },
    ...(analysis ? { analysis: { ...analysisSettings(draft), ...analysis } } : {}),
  };
}
