import { invalidRequest, type OpenAIErrorAnswer } from './errors.js';
import type { ChatCompletionRequest } from './request.js';

/**
 * The parameter rules the real API applies per model. Reasoning models (gpt-5 family, o-series)
 * accept only the default (1) `temperature` and `top_p`, refuse `max_tokens` (reasoning tokens count
 * against `max_completion_tokens`) and take `reasoning_effort`; the GPT-4 family refuses
 * `reasoning_effort`. Models not listed are not checked.
 */
export interface EmulatedModelRules {
  reasoning: boolean;
  reasoningEfforts: readonly string[];
}

const CHAT: EmulatedModelRules = { reasoning: false, reasoningEfforts: [] };
const GPT5: EmulatedModelRules = { reasoning: true, reasoningEfforts: ['minimal', 'low', 'medium', 'high'] };
const GPT5_1: EmulatedModelRules = { reasoning: true, reasoningEfforts: ['none', 'low', 'medium', 'high'] };
const O_SERIES: EmulatedModelRules = { reasoning: true, reasoningEfforts: ['low', 'medium', 'high'] };

export const EMULATED_MODELS: Readonly<Record<string, EmulatedModelRules>> = {
  'gpt-4.1': CHAT,
  'gpt-4.1-mini': CHAT,
  'gpt-4.1-nano': CHAT,
  'gpt-4o': CHAT,
  'gpt-4o-mini': CHAT,
  'gpt-5': GPT5,
  'gpt-5-mini': GPT5,
  'gpt-5-nano': GPT5,
  'gpt-5.1': GPT5_1,
  o3: O_SERIES,
  'o4-mini': O_SERIES,
};

export function emulatedModelRules(model: string): EmulatedModelRules | undefined {
  return Object.hasOwn(EMULATED_MODELS, model) ? EMULATED_MODELS[model] : undefined;
}

const quoteList = (values: readonly string[]) => {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
};

/** The 400 the real API answers for a parameter this model does not take, if any. */
export function checkModelParameters(request: ChatCompletionRequest): OpenAIErrorAnswer | undefined {
  const rules = emulatedModelRules(request.model);
  if (!rules) return undefined;
  if (rules.reasoning) {
    for (const param of ['temperature', 'top_p'] as const) {
      const value = request[param];
      if (value !== undefined && value !== null && value !== 1) {
        return invalidRequest(
          `Unsupported value: '${param}' does not support ${value} with this model. Only the default (1) value is supported.`,
          param,
          'unsupported_value',
        );
      }
    }
    if (request.max_tokens !== undefined && request.max_tokens !== null) {
      return invalidRequest(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'max_tokens',
        'unsupported_parameter',
      );
    }
  }
  const effort = request.reasoning_effort;
  if (effort !== undefined && effort !== null) {
    if (rules.reasoningEfforts.length === 0) {
      return invalidRequest(
        "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
        'reasoning_effort',
        'unsupported_parameter',
      );
    }
    if (!rules.reasoningEfforts.includes(effort)) {
      return invalidRequest(
        `Unsupported value: 'reasoning_effort' does not support '${effort}' with this model. Supported values are: ${quoteList(rules.reasoningEfforts)}.`,
        'reasoning_effort',
        'unsupported_value',
      );
    }
  }
  return undefined;
}
