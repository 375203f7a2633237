import { Value } from 'typebox/value';
import { type FieldIssue, pointerToField } from '../field-issues.js';
import { checkJsonSchema } from '../tools/check-json-schema.js';
import type { Tool } from '../tools/tool-row.js';
import { AgentDraft } from './agent-config.js';
import {
  deepgramServesLanguage,
  isDeepgramModel,
  isLanguage,
  isOpenAiModel,
  isRimeModel,
  isRimeSpeaker,
  LANGUAGES,
} from './catalog.js';

/**
 * Every reason a draft cannot be published, each naming its field. Pure: `tools` holds the tenant's
 * tools the draft refers to (missing or archived ones are reported).
 */
export function validateDraft(draft: unknown, tools: ReadonlyMap<string, Tool>): FieldIssue[] {
  if (!Value.Check(AgentDraft, draft)) {
    return [...Value.Errors(AgentDraft, draft)]
      .filter((e) => e.keyword !== 'boolean')
      .map((e) => ({ field: pointerToField(e.instancePath) || 'draft', message: e.message }));
  }
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });

  if (draft.systemPrompt.trim() === '') add('systemPrompt', 'must not be empty');
  if (!isLanguage(draft.language)) add('language', `is not supported (use one of ${LANGUAGES.join(', ')})`);
  if (!isRimeModel(draft.voice.model)) {
    add('voice.model', `"${draft.voice.model}" is not a known Rime model`);
  } else if (!isRimeSpeaker(draft.voice.model, draft.voice.speaker)) {
    add('voice.speaker', `"${draft.voice.speaker}" is not a known speaker of Rime ${draft.voice.model}`);
  }
  if (!isDeepgramModel(draft.stt.model)) {
    add('stt.model', `"${draft.stt.model}" is not a known Deepgram model`);
  } else if (!deepgramServesLanguage(draft.stt.model, draft.language)) {
    add('stt.model', `Deepgram ${draft.stt.model} transcribes English only, not ${draft.language}`);
  }
  if (!isOpenAiModel(draft.llm.model)) add('llm.model', `"${draft.llm.model}" is not a known OpenAI model`);
  if (draft.limits.silenceTimeoutS >= draft.limits.maxDurationS) {
    add('limits.silenceTimeoutS', 'must be shorter than limits.maxDurationS');
  }
  for (const [key, phrase] of Object.entries(draft.fallbackPhrases)) {
    if (phrase.trim() === '') add(`fallbackPhrases.${key}`, 'must not be empty');
  }
  if (draft.analysis?.dataSchema !== undefined) {
    const schemaIssues = checkJsonSchema('analysis.dataSchema', draft.analysis.dataSchema, {
      objectRoot: false,
    });
    issues.push(...schemaIssues);
    if (schemaIssues.length === 0 && draft.analysis.dataSchema.type !== 'object') {
      add('analysis.dataSchema.type', 'must be "object": the extracted fields are one JSON object');
    }
  }
  draft.toolIds.forEach((toolId, i) => {
    const tool = tools.get(toolId);
    if (!tool) add(`toolIds[${i}]`, `tool ${toolId} does not exist in this tenant`);
    else if (tool.archivedAt) add(`toolIds[${i}]`, `tool "${tool.name}" is archived`);
    else if (tool.connectionId === null || (tool.webhookPath ?? tool.workflowId) === null) {
      add(`toolIds[${i}]`, `tool "${tool.name}" is not bound to an n8n workflow`);
    }
  });
  return issues;
}
