import { Ajv } from 'ajv';
import type { z } from 'zod';
import { invalidRequest, type OpenAIErrorAnswer } from './errors.js';
import { ChatCompletionRequest, type FunctionTool } from './request.js';

export type ValidationResult =
  | { ok: true; request: ChatCompletionRequest }
  | { ok: false; error: OpenAIErrorAnswer };

const ROLES = "'system', 'assistant', 'user', 'function', 'tool', and 'developer'";

/** Parses and validates a request body the way the real API does, answering its 400 shapes. */
export function validateChatRequest(rawBody: string): ValidationResult {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return {
      ok: false,
      error: invalidRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
      ),
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return {
      ok: false,
      error: invalidRequest(`Invalid type for body: expected an object.`, null, 'invalid_type'),
    };
  }
  const parsed = ChatCompletionRequest.safeParse(json, { reportInput: true });
  if (!parsed.success) return { ok: false, error: issueToError(parsed.error.issues[0]) };
  const request = parsed.data;
  const problem = checkConversation(request) ?? checkTools(request);
  return problem ? { ok: false, error: problem } : { ok: true, request };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function issueToError(issue: z.core.$ZodIssue | undefined): OpenAIErrorAnswer {
  if (!issue) return invalidRequest('Invalid request body.');
  const param = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      if (issue.path.length === 0) {
        return invalidRequest(`Unrecognized request argument supplied: ${issue.keys.join(', ')}`);
      }
      return invalidRequest(
        `Additional properties are not allowed ('${issue.keys.join("', '")}' was unexpected) - '${param}'`,
        param,
      );
    case 'invalid_type':
      if (issue.input === undefined) {
        return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
      }
      return invalidRequest(
        `Invalid type for '${param}': expected ${issue.expected}, but got ${describe(issue.input)} instead.`,
        param,
        'invalid_type',
      );
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator === 'role') {
        const role = roleOf(issue.input);
        if (role === undefined) {
          return invalidRequest(
            `Missing required parameter: '${param}'.`,
            param,
            'missing_required_parameter',
          );
        }
        return invalidRequest(
          `Invalid value: '${String(role)}'. Supported values are: ${ROLES}.`,
          param,
          'invalid_value',
        );
      }
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((inner) =>
          inner.code === 'invalid_type' && inner.path.length === 0 ? [inner.expected] : [],
        ),
      );
      if (expected.length === issue.errors.length && issue.input !== undefined) {
        return invalidRequest(
          `Invalid type for '${param}': expected one of ${expected.join(' or ')}, but got ${describe(issue.input)} instead.`,
          param,
          'invalid_type',
        );
      }
      return invalidRequest(`Invalid value for '${param}'.`, param, 'invalid_value');
    }
    case 'invalid_value':
      return invalidRequest(
        `Invalid value: '${String(issue.input)}'. Supported values are: ${issue.values.map((v) => `'${String(v)}'`).join(', ')}.`,
        param,
        'invalid_value',
      );
    case 'invalid_format':
      return invalidRequest(
        `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '${issue.pattern ?? ''}'.`,
        param,
        'invalid_value',
      );
    case 'too_small':
      if (issue.origin === 'array' && Number(issue.minimum) === 1) {
        return invalidRequest(
          `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
          param,
          'empty_array',
        );
      }
      return invalidRequest(
        `Invalid '${param}': value below minimum. Expected a value >= ${String(issue.minimum)}, but got ${String(issue.input)} instead.`,
        param,
        'invalid_value',
      );
    case 'too_big':
      return invalidRequest(
        `Invalid '${param}': value above maximum. Expected a value <= ${String(issue.maximum)}, but got ${String(issue.input)} instead.`,
        param,
        'invalid_value',
      );
    default:
      return invalidRequest(`Invalid '${param}': ${issue.message}`, param);
  }
}

function roleOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null && 'role' in input ? input.role : undefined;
}

function checkConversation(request: ChatCompletionRequest): OpenAIErrorAnswer | undefined {
  const { messages } = request;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message?.role === 'tool') {
      const previous = precedingToolCaller(request, i);
      if (!previous?.has(message.tool_call_id)) {
        return invalidRequest(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
    }
    if (message?.role === 'assistant' && message.tool_calls?.length) {
      const answered = new Set<string>();
      let j = i + 1;
      for (; j < messages.length; j++) {
        const next = messages[j];
        if (next?.role !== 'tool') break;
        answered.add(next.tool_call_id);
      }
      const missing = message.tool_calls.map((call) => call.id).filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return invalidRequest(
          `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(', ')}`,
          `messages.[${j < messages.length ? j : i}].role`,
        );
      }
    }
  }
  if (request.tool_choice !== undefined && !request.tools?.length) {
    return invalidRequest(
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
      'tool_choice',
    );
  }
  if (request.stream_options && !request.stream) {
    return invalidRequest(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
    );
  }
  return undefined;
}

/** The tool call ids of the assistant message that the tool message at `index` answers. */
function precedingToolCaller(request: ChatCompletionRequest, index: number): Set<string> | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role === 'tool') continue;
    if (message?.role === 'assistant' && message.tool_calls?.length) {
      return new Set(message.tool_calls.map((call) => call.id));
    }
    return undefined;
  }
  return undefined;
}

const ajv = new Ajv({ strict: false, allErrors: false });

function checkTools(request: ChatCompletionRequest): OpenAIErrorAnswer | undefined {
  const tools = request.tools ?? [];
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    const { name } = tool.function;
    if (names.has(name)) {
      return invalidRequest(
        `Invalid 'tools': Duplicate function name '${name}'. Function names must be unique.`,
        'tools',
        'duplicate_function_name',
      );
    }
    names.add(name);
    const problem = checkParameters(tool);
    if (problem) {
      return invalidRequest(
        `Invalid schema for function '${name}': ${problem}`,
        `tools[${i}].function.parameters`,
        'invalid_function_parameters',
      );
    }
  }
  const choice = request.tool_choice;
  if (typeof choice === 'object' && !names.has(choice.function.name)) {
    return invalidRequest(
      `Invalid value for 'tool_choice': function '${choice.function.name}' not found in 'tools'.`,
      'tool_choice',
      'invalid_value',
    );
  }
  return undefined;
}

function checkParameters(tool: FunctionTool): string | undefined {
  const schema = tool.function.parameters;
  if (schema === undefined) return undefined;
  if (schema.type !== 'object') {
    return `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`;
  }
  try {
    ajv.compile(schema);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return tool.function.strict ? checkStrictSchema(schema, []) : undefined;
}

/** Structured Outputs rules: every object closes its properties and requires all of them. */
function checkStrictSchema(schema: Record<string, unknown>, context: string[]): string | undefined {
  const where = `In context=(${context.map((c) => `'${c}'`).join(', ')})`;
  if (schema.type === 'object') {
    if (schema.additionalProperties !== false) {
      return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const properties = isRecord(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(properties).filter((key) => !required.includes(key));
    if (missing.length > 0) {
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
    for (const [key, child] of Object.entries(properties)) {
      if (!isRecord(child)) continue;
      const problem = checkStrictSchema(child, [...context, 'properties', key]);
      if (problem) return problem;
    }
  }
  if (schema.type === 'array' && isRecord(schema.items)) {
    return checkStrictSchema(schema.items, [...context, 'items']);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
