import type { ChatMessage } from './request.js';

export interface ToolResult {
  name: string;
  content: string;
}

/** What the rules look at in a request's messages. */
export interface ConversationView {
  lastRole: ChatMessage['role'] | undefined;
  /** Text of the last user message anywhere in the conversation. */
  lastUserText: string | undefined;
  /** Tool messages at the end of the conversation, named after the calls they answer. */
  trailingToolResults: ToolResult[];
}

export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

export function viewConversation(messages: readonly ChatMessage[]): ConversationView {
  const last = messages.at(-1);
  const lastUser = messages.findLast((message) => message.role === 'user');
  const callNames = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);
  }
  const trailingToolResults: ToolResult[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'tool') break;
    trailingToolResults.unshift({
      name: callNames.get(message.tool_call_id) ?? '',
      content: messageText(message),
    });
  }
  return {
    lastRole: last?.role,
    lastUserText: lastUser ? messageText(lastUser) : undefined,
    trailingToolResults,
  };
}
