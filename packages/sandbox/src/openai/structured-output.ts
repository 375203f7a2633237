import { messageText } from './conversation.js';
import type { ScriptedTurn } from './decide-turn.js';
import type { ChatCompletionRequest, ChatMessage } from './request.js';

/**
 * Structured outputs (`response_format: {type: "json_schema", json_schema: {name, schema, strict}}`)
 * as the real API answers them: the assistant message is JSON text that validates against the
 * schema. The emulator fills it deterministically from the conversation where it can (a date, a
 * number, an email, a phone number, a name after "my name is", an enum value that was mentioned)
 * and with a neutral value of the right type otherwise. `json_object` answers `{}`.
 */

type Schema = Record<string, unknown>;

export type StructuredTurn = { ok: true; turn: ScriptedTurn } | { ok: false; message: string; param: string };

/** Undefined when the request asks for no structured output (no `response_format`, or `text`). */
export function structuredOutputTurn(request: ChatCompletionRequest): StructuredTurn | undefined {
  const format = request.response_format as { type?: unknown; json_schema?: unknown } | null | undefined;
  if (!format || typeof format !== 'object' || format.type === 'text') return undefined;
  const reply = (content: string): StructuredTurn => ({
    ok: true,
    turn: { content, toolCalls: [], ruleIndex: undefined },
  });
  if (format.type === 'json_object') return reply('{}');
  if (format.type !== 'json_schema') {
    return {
      ok: false,
      message: `Invalid value: '${String(format.type)}'. Supported values are: 'json_object', 'json_schema', and 'text'.`,
      param: 'response_format.type',
    };
  }
  const spec = format.json_schema as { name?: unknown; schema?: unknown } | undefined;
  if (!spec || typeof spec !== 'object') {
    return {
      ok: false,
      message: "Missing required parameter: 'response_format.json_schema'.",
      param: 'response_format.json_schema',
    };
  }
  if (typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    return {
      ok: false,
      message: "Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.",
      param: 'response_format.json_schema.name',
    };
  }
  const schema = (spec.schema ?? { type: 'object', properties: {} }) as Schema;
  if (typeof schema !== 'object' || schema === null) {
    return {
      ok: false,
      message: "Invalid 'response_format.json_schema.schema': must be an object.",
      param: 'response_format.json_schema.schema',
    };
  }
  const text = conversationText(request.messages);
  return reply(JSON.stringify(fill(schema, '', text, schema)));
}

/** What was said, without the system prompt (the model extracts from the conversation). */
function conversationText(messages: readonly ChatMessage[]): string {
  return messages
    .filter((m) => m.role !== 'system' && m.role !== 'developer')
    .map((m) => messageText(m))
    .join('\n');
}

function resolveRef(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
  return (node as Schema | undefined) ?? {};
}

function types(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return ['string'];
}

const DATE = /\b(\d{4}-\d{2}-\d{2})\b/;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/;
const PHONE = /\+?\d[\d\s().-]{7,}\d/;
const NAME = /\b(?:my name is|this is|i am|i'm)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)/;
const NUMBER = /-?\d+(?:\.\d+)?/;
const FAILURE = /\b(sorry|could not|couldn't|cannot|can't|unable)\b/i;

function firstUserLine(text: string, max: number): string {
  const line = text.split('\n').find((l) => l.trim().length > 0) ?? '';
  return line.slice(0, max);
}

function fillString(schema: Schema, name: string, text: string): string | undefined {
  if (Array.isArray(schema.enum)) {
    const options = schema.enum.filter((v): v is string => typeof v === 'string');
    return options.find((o) => text.toLowerCase().includes(o.toLowerCase().replace(/_/g, ' '))) ?? options[0];
  }
  if (typeof schema.const === 'string') return schema.const;
  const key = name.toLowerCase();
  const format = typeof schema.format === 'string' ? schema.format : '';
  const pick = (pattern: RegExp, group = 0) => pattern.exec(text)?.[group];
  if (format === 'date' || key.includes('date')) return pick(DATE, 1);
  if (format === 'email' || key.includes('email')) return pick(EMAIL);
  if (key.includes('phone')) return pick(PHONE);
  if (key.includes('name')) return pick(NAME, 1);
  if (key.includes('summary')) {
    const lines = text.split('\n').filter((l) => l.trim());
    return lines.length > 0
      ? `The caller said: "${lines.slice(0, 3).join(' ')}"`.slice(0, 300)
      : 'No conversation.';
  }
  if (key.includes('reason') || key.includes('intent') || key.includes('topic'))
    return firstUserLine(text, 200) || undefined;
  return undefined;
}

function fill(schema: Schema, name: string, text: string, root: Schema): unknown {
  const node = resolveRef(schema, root);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = node[key];
    if (Array.isArray(options) && options.length > 0) {
      const concrete = (options as Schema[]).filter((o) => resolveRef(o, root).type !== 'null');
      const allowsNull = concrete.length < options.length;
      const value = fill(concrete[0] ?? (options[0] as Schema), name, text, root);
      return allowsNull && (value === '' || value === undefined) ? null : value;
    }
  }
  const allowed = types(node);
  const nullable = allowed.includes('null');
  const type = allowed.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, Schema>;
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(properties)) out[key] = fill(sub, key, text, root);
      return out;
    }
    case 'array': {
      const min = typeof node.minItems === 'number' ? node.minItems : 0;
      const items = (node.items ?? {}) as Schema;
      return Array.from({ length: min }, () => fill(items, name, text, root));
    }
    case 'boolean': {
      const key = name.toLowerCase();
      if (key.includes('success') || key.includes('resolved') || key.includes('booked'))
        return !FAILURE.test(text);
      return false;
    }
    case 'integer':
    case 'number': {
      const found = NUMBER.exec(text.replace(DATE, ''));
      let value = found ? Number(found[0]) : 0;
      if (type === 'integer') value = Math.round(value);
      if (typeof node.minimum === 'number') value = Math.max(value, node.minimum);
      if (typeof node.maximum === 'number') value = Math.min(value, node.maximum);
      return value;
    }
    case 'null':
      return null;
    default: {
      const value = fillString(node, name, text);
      if (value !== undefined) return value;
      if (nullable) return null;
      const min = typeof node.minLength === 'number' ? node.minLength : 0;
      return 'unknown'
        .padEnd(min, '.')
        .slice(0, typeof node.maxLength === 'number' ? node.maxLength : undefined);
    }
  }
}
