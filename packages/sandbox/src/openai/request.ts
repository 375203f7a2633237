import { z } from 'zod';

/** The subset of the chat completions request body the emulator reads and validates. */

const TextPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
const ContentPart = z
  .object({ type: z.enum(['text', 'image_url', 'input_audio', 'file', 'refusal']) })
  .loose();
const TextContent = z.union([z.string(), z.array(TextPart)]);

const ToolCall = z
  .object({
    id: z.string(),
    type: z.literal('function'),
    function: z.object({ name: z.string(), arguments: z.string() }).strict(),
  })
  .strict();

export const ChatMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: TextContent, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('developer'), content: TextContent, name: z.string().optional() }).strict(),
  z
    .object({
      role: z.literal('user'),
      content: z.union([z.string(), z.array(ContentPart)]),
      name: z.string().optional(),
    })
    .strict(),
  z
    .object({
      role: z.literal('assistant'),
      content: z.union([TextContent, z.null()]).optional(),
      name: z.string().optional(),
      refusal: z.string().nullable().optional(),
      tool_calls: z.array(ToolCall).optional(),
      function_call: z.unknown().optional(),
      audio: z.unknown().optional(),
    })
    .strict(),
  z.object({ role: z.literal('tool'), content: TextContent, tool_call_id: z.string() }).strict(),
  z.object({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }).strict(),
]);
export type ChatMessage = z.infer<typeof ChatMessage>;

export const FunctionTool = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .strict(),
  })
  .strict();
export type FunctionTool = z.infer<typeof FunctionTool>;

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).strict() }).strict(),
]);

export const ChatCompletionRequest = z
  .object({
    model: z.string(),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z
      .object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
      .strict()
      .nullable()
      .optional(),
    tools: z.array(FunctionTool).optional(),
    tool_choice: ToolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    n: z.number().int().min(1).max(128).nullable().optional(),
    max_tokens: z.number().int().min(1).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string())])
      .nullable()
      .optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    logit_bias: z.record(z.string(), z.number()).nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
    user: z.string().optional(),
    seed: z.number().int().nullable().optional(),
    response_format: z.unknown().optional(),
    service_tier: z.string().nullable().optional(),
    store: z.boolean().nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    reasoning_effort: z.string().nullable().optional(),
    verbosity: z.string().nullable().optional(),
    modalities: z.array(z.string()).nullable().optional(),
    prediction: z.unknown().optional(),
    prompt_cache_key: z.string().optional(),
    safety_identifier: z.string().optional(),
  })
  .strict();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
