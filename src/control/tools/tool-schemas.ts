import { type Static, Type } from 'typebox';
import { idPattern } from '../../lib/ids.js';
import { Nullable } from '../../lib/schema-helpers.js';

/** What the LLM sees as the function name: a letter, then letters, digits, `_` or `-` (OpenAI's rule). */
export const ToolName = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$',
  description: 'LLM-safe identifier: a letter, then up to 63 letters, digits, _ or -',
});

/** Any JSON object; stored and served as is. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const TOOL_TIMEOUT_MS = { min: 500, max: 60_000, default: 10_000 } as const;

export const ToolRetry = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 5, description: 'attempts including the first' }),
    backoffMs: Type.Integer({ minimum: 0, maximum: 10_000, description: 'base delay before a retry' }),
  },
  { additionalProperties: false },
);
export type ToolRetry = Static<typeof ToolRetry>;
export const DEFAULT_TOOL_RETRY: ToolRetry = { maxAttempts: 3, backoffMs: 250 };

const WebhookPath = Type.String({
  pattern: '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9/_:.-]{0,199}$',
  description: 'path after {base}/webhook/, without a leading slash',
});
const WorkflowId = Type.String({ pattern: '^[A-Za-z0-9]{1,64}$', description: 'n8n workflow id' });
const ConnectionId = Type.String({ pattern: idPattern('n8nConnection'), description: 'n8n connection id' });

const toolFields = {
  description: Type.String({ minLength: 1, maxLength: 1024, description: 'what the tool does, for the LLM' }),
  inputSchema: JsonObject,
  outputSchema: Nullable(JsonObject),
  connectionId: Nullable(ConnectionId),
  webhookPath: Nullable(WebhookPath),
  workflowId: Nullable(WorkflowId),
  timeoutMs: Type.Integer({ minimum: TOOL_TIMEOUT_MS.min, maximum: TOOL_TIMEOUT_MS.max }),
  retry: ToolRetry,
  idempotent: Type.Boolean({ description: 'safe to call twice with the same arguments (may be retried)' }),
};

/** The fields a new tool may leave out (defaults apply) and a change may give alone. */
const optionalToolFields = {
  outputSchema: Type.Optional(toolFields.outputSchema),
  connectionId: Type.Optional(toolFields.connectionId),
  webhookPath: Type.Optional(toolFields.webhookPath),
  workflowId: Type.Optional(toolFields.workflowId),
  timeoutMs: Type.Optional(toolFields.timeoutMs),
  retry: Type.Optional(ToolRetry),
  idempotent: Type.Optional(toolFields.idempotent),
};

export const CreateToolInput = Type.Object(
  {
    name: ToolName,
    description: toolFields.description,
    inputSchema: Type.Record(Type.String(), Type.Unknown(), {
      description: 'JSON Schema (draft 2020-12) of the arguments; the root is an object',
    }),
    ...optionalToolFields,
  },
  { additionalProperties: false },
);
export type CreateToolInput = Static<typeof CreateToolInput>;

export const UpdateToolInput = Type.Object(
  {
    name: Type.Optional(ToolName),
    description: Type.Optional(toolFields.description),
    inputSchema: Type.Optional(toolFields.inputSchema),
    ...optionalToolFields,
  },
  { additionalProperties: false },
);
export type UpdateToolInput = Static<typeof UpdateToolInput>;

/**
 * A tool as frozen into a published agent version: exactly the executable columns of `tools`,
 * which is the shape the Automation Gateway runs.
 */
export const ToolSnapshot = Type.Object(
  {
    id: Type.String({ pattern: idPattern('tool') }),
    name: ToolName,
    ...toolFields,
  },
  { additionalProperties: false },
);
export type ToolSnapshot = Static<typeof ToolSnapshot>;
