import { type ConversationView, type ToolResult, viewConversation } from './conversation.js';
import type { ChatCompletionRequest } from './request.js';
import type { LlmRule, LlmScript, LlmToolCall, LlmWhen } from './script.js';
import {
  isErrorResult,
  parseJsonOrUndefined,
  renderDeep,
  renderTemplate,
  speakFields,
  type TemplateContext,
} from './template.js';

/** The assistant turn a script decided on, before ids and chunking. */
export interface ScriptedTurn {
  content: string | null;
  toolCalls: { name: string; arguments: string }[];
  /** Index of the rule that fired; undefined for the default reply. */
  ruleIndex: number | undefined;
}

/**
 * Picks the first rule that matches and can run. A rule that calls a tool the request does not
 * declare (or with `tool_choice: "none"`) is skipped, as a real model could not make that call.
 * `uses[i]` counts how often rule i already fired for this key (for `times`).
 */
export function decideTurn(
  script: LlmScript,
  request: ChatCompletionRequest,
  uses: readonly number[],
): ScriptedTurn {
  const view = viewConversation(request.messages);
  for (const [index, rule] of script.rules.entries()) {
    if (rule.times !== undefined && (uses[index] ?? 0) >= rule.times) continue;
    const matched = matchWhen(rule.when, view);
    if (!matched) continue;
    if (!toolsAvailable(rule, request)) continue;
    return { ...applyThen(rule, view, matched.toolResult), ruleIndex: index };
  }
  const unanswered = view.lastRole === 'tool' ? view.trailingToolResults[0] : undefined;
  if (unanswered) return { content: readResult(unanswered), toolCalls: [], ruleIndex: undefined };
  return { content: script.defaultReply, toolCalls: [], ruleIndex: undefined };
}

/** What a model says about a tool result no rule expected: its fields, or its error's message. */
function readResult(result: ToolResult): string {
  const data = parseJsonOrUndefined(result.content);
  if (isErrorResult(data)) {
    const error = (data as { error: unknown }).error;
    const message =
      typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : '';
    return message ? `Sorry, that did not work: ${message}` : 'Sorry, that did not work.';
  }
  return speakFields(data, result.content);
}

interface Match {
  toolResult: ToolResult | undefined;
}

function matchWhen(when: LlmWhen, view: ConversationView): Match | undefined {
  const firstResult = view.trailingToolResults[0];
  if (when.firstTurn && view.lastUserText !== undefined) return undefined;
  if (when.userSays !== undefined || when.userMatches !== undefined) {
    if (view.lastRole !== 'user' || view.lastUserText === undefined) return undefined;
    const text = view.lastUserText.toLowerCase();
    if (when.userSays !== undefined) {
      const needles = Array.isArray(when.userSays) ? when.userSays : [when.userSays];
      if (!needles.some((needle) => text.includes(needle.toLowerCase()))) return undefined;
    }
    if (when.userMatches !== undefined && !new RegExp(when.userMatches, 'i').test(view.lastUserText)) {
      return undefined;
    }
  }
  if (when.toolResult !== undefined) {
    if (view.lastRole !== 'tool') return undefined;
    const condition = when.toolResult;
    const result = view.trailingToolResults.find(
      (candidate) =>
        candidate.name === condition.name &&
        (condition.contains === undefined ||
          candidate.content.toLowerCase().includes(condition.contains.toLowerCase())) &&
        (condition.matches === undefined || new RegExp(condition.matches, 'i').test(candidate.content)) &&
        (condition.outcome === undefined ||
          isErrorResult(parseJsonOrUndefined(candidate.content)) === (condition.outcome === 'error')),
    );
    return result ? { toolResult: result } : undefined;
  }
  return { toolResult: firstResult };
}

function plannedCalls(rule: LlmRule): LlmToolCall[] {
  const answer = rule.respond;
  if ('toolCall' in answer) return [answer.toolCall];
  if ('toolCalls' in answer) return answer.toolCalls;
  return [];
}

function toolsAvailable(rule: LlmRule, request: ChatCompletionRequest): boolean {
  const calls = plannedCalls(rule);
  if (calls.length === 0) return true;
  if (request.tool_choice === 'none') return false;
  const declared = new Set((request.tools ?? []).map((tool) => tool.function.name));
  return calls.every((call) => declared.has(call.name));
}

function applyThen(
  rule: LlmRule,
  view: ConversationView,
  toolResult: ToolResult | undefined,
): Omit<ScriptedTurn, 'ruleIndex'> {
  const context: TemplateContext = {
    data: toolResult ? parseJsonOrUndefined(toolResult.content) : undefined,
    user: view.lastUserText ?? '',
    result: toolResult?.content ?? '',
  };
  const answer = rule.respond;
  if ('replyFromTool' in answer) {
    return { content: renderTemplate(answer.replyFromTool, context), toolCalls: [] };
  }
  if ('toolCall' in answer || 'toolCalls' in answer) {
    const toolCalls = plannedCalls(rule).map((call) => ({
      name: call.name,
      arguments: JSON.stringify(renderDeep(call.arguments, context)),
    }));
    return { content: answer.reply === undefined ? null : renderTemplate(answer.reply, context), toolCalls };
  }
  return { content: renderTemplate(answer.reply, context), toolCalls: [] };
}
