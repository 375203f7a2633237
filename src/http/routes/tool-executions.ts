import { Type } from 'typebox';
import {
  EXECUTION_STATUSES,
  getToolExecution,
  listToolExecutions,
  TOOL_ERROR_CODES,
  testTool,
} from '../../gateway/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import {
  Id,
  NullableTimestamp,
  Page,
  PageQuery,
  Strict,
  StringEnum,
  TenantParams,
  Timestamp,
  TimestampInput,
} from '../schemas.js';
import { ToolParams, tenantResourceParams } from '../tenant-resource-schemas.js';

const ExecutionStatus = StringEnum(EXECUTION_STATUSES);
const NullableString = Nullable(Type.String());
const NullableInteger = Nullable(Type.Integer());
const Json = Type.Unknown();

const ValidationIssue = Strict({ path: Type.String(), message: Type.String() });
const ToolError = Strict({
  code: StringEnum(TOOL_ERROR_CODES),
  message: Type.String({ description: 'The instruction the LLM reads as the tool result' }),
  retryable: Type.Boolean(),
  httpStatus: Type.Optional(Type.Integer()),
  issues: Type.Optional(Type.Array(ValidationIssue)),
  details: Type.Optional(
    Type.Record(Type.String(), Json, {
      description:
        "Operator-facing context, never read to the caller: `detail` (what n8n or the network said; for a workflow that threw, the workflow's own message), `workflowError` ({message, node, n8nExecutionId}, read from n8n's API, redacted, at most 500 characters), `n8nAnswer` (n8n's own reply, e.g. \"Error in workflow\"), `workflow` (the bound workflow's state after a 404), `issues`",
    }),
  ),
});

const executionSummaryFields = {
  id: Id('toolExecution'),
  toolId: NullableString,
  toolName: Type.String(),
  callId: NullableString,
  turn: NullableInteger,
  status: ExecutionStatus,
  error: Type.Union([ToolError, Type.Null()]),
  startedAt: Timestamp,
  finishedAt: NullableTimestamp,
  durationMs: NullableInteger,
};
const ToolExecutionSummary = Strict(executionSummaryFields);

const ToolExecutionAttempt = Strict({
  attempt: Type.Integer(),
  statusCode: NullableInteger,
  outcome: Type.String(),
  errorClass: NullableString,
  durationMs: Type.Integer(),
  request: Json,
  response: Json,
  startedAt: Timestamp,
});

const ToolExecutionDetail = Strict({
  ...executionSummaryFields,
  idempotencyKey: Type.String(),
  arguments: Json,
  result: Json,
  attempts: Type.Array(ToolExecutionAttempt),
});

const outcomeFields = {
  executionId: Id('toolExecution'),
  attempts: Type.Integer(),
  durationMs: Type.Integer(),
};
const ToolOutcome = Type.Union([
  Strict({ ok: Type.Literal(true), status: Type.Literal('succeeded'), result: Json, ...outcomeFields }),
  Strict({
    ok: Type.Literal(false),
    status: StringEnum(['failed', 'timed_out', 'rejected', 'circuit_open'] as const),
    error: ToolError,
    ...outcomeFields,
  }),
]);

export const toolExecutionRoutes = routePlugin(['tool executions'], (route, { deps, gateway }) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/tool-executions',
    access: 'calls:inspect',
    summary: "A tenant's tool executions, newest first",
    params: TenantParams,
    querystring: Strict({
      ...PageQuery.properties,
      toolId: Type.Optional(Id('tool')),
      toolName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      status: Type.Optional(ExecutionStatus),
      callId: Type.Optional(Id('call')),
      from: Type.Optional(TimestampInput),
      to: Type.Optional(TimestampInput),
    }),
    response: { 200: Page(ToolExecutionSummary) },
    handler: async (request) => {
      const { from, to, ...filter } = request.query;
      return listToolExecutions(deps, request.params.tenantId, {
        ...filter,
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      });
    },
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/tool-executions/:id',
    access: 'calls:inspect',
    summary: 'One tool execution with its HTTP attempts (secrets redacted)',
    params: tenantResourceParams('id', 'toolExecution'),
    response: { 200: ToolExecutionDetail },
    handler: async (request) => getToolExecution(deps, request.params.tenantId, request.params.id),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/tools/:toolId/test',
    access: 'tools:write',
    action: 'tool.test',
    summary: "Run a tool once against the tenant's n8n, outside any call",
    description:
      'Executes like a call would (validation, retries, tracking) and answers the outcome, failures included.',
    params: ToolParams,
    body: Strict({ arguments: Type.Record(Type.String(), Json) }),
    response: { 200: ToolOutcome },
    handler: async (request) =>
      testTool(deps, gateway, {
        tenantId: request.params.tenantId,
        toolId: request.params.toolId,
        arguments: request.body.arguments,
      }),
  });
});
