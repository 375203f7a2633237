import { tables } from '../db/index.js';

/** The tool definition the gateway executes: a `tools` row, or the snapshot a published agent version holds. */
export type GatewayTool = Pick<
  typeof tables.tools.$inferSelect,
  | 'id'
  | 'name'
  | 'description'
  | 'inputSchema'
  | 'outputSchema'
  | 'connectionId'
  | 'webhookPath'
  | 'workflowId'
  | 'timeoutMs'
  | 'retry'
  | 'idempotent'
>;

/** From the Drizzle schema, so the API's enum and the column cannot drift apart. */
export const EXECUTION_STATUSES = tables.toolExecutions.status.enumValues;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export type FinalStatus = Exclude<ExecutionStatus, 'pending' | 'running'>;

/** Where in a call the tool was invoked; both absent for the console's "test tool" action. */
export interface ToolCallContext {
  callId?: string | null;
  turn?: number | null;
  /** A call of an agent test run: the workflow is told (header `x-switchboard-test: true`). */
  test?: boolean;
}

export interface ExecuteToolRequest {
  tenantId: string;
  tool: GatewayTool;
  arguments: unknown;
  context?: ToolCallContext;
}

/** Why one HTTP attempt (or the execution before any attempt) failed. */
export const FAILURE_CLASSES = [
  'timeout',
  'deadline_exceeded',
  'cancelled',
  'connect_error',
  'connection_reset',
  'network_error',
  'rate_limited',
  'server_error',
  'workflow_inactive',
  'auth_rejected',
  'client_error',
  'invalid_json',
  'response_too_large',
  'output_invalid',
  'circuit_open',
  /** The SSRF guard refused the address the instance resolves to (private, loopback, metadata). */
  'address_blocked',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export const TOOL_ERROR_CODES = [...FAILURE_CLASSES, 'arguments_invalid', 'not_configured', 'busy'] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

export interface ValidationIssue {
  /** JSON pointer into the arguments (`/date`), empty for the whole object. */
  path: string;
  message: string;
}

/** A failure the LLM can act on: `message` is a short instruction it reads as the tool's result. */
export interface ToolError {
  code: ToolErrorCode;
  message: string;
  /** Whether trying the same call again later could help. */
  retryable: boolean;
  /** The last HTTP status n8n answered, when it answered. */
  httpStatus?: number;
  /** Argument problems, for `arguments_invalid`, so the LLM can correct itself. */
  issues?: ValidationIssue[];
  /** Operator-facing context (n8n's error message, the bound workflow's state); not for the caller. */
  details?: Record<string, unknown>;
}

interface OutcomeBase {
  executionId: string;
  /** HTTP attempts made. */
  attempts: number;
  durationMs: number;
}

export type ToolOutcome =
  | (OutcomeBase & { ok: true; status: 'succeeded'; result: unknown })
  | (OutcomeBase & { ok: false; status: Exclude<FinalStatus, 'succeeded'>; error: ToolError });
