import { type TSchema, Type } from 'typebox';
import { getCallDetail } from '../../analytics/index.js';
import { authorize } from '../../auth/index.js';
import { ANALYSIS_STATUSES, CALL_END_REASONS, CALL_STATUSES, CALL_TRANSPORTS } from '../../db/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import { Id, NullableTimestamp, Strict, StringEnum, Timestamp } from '../schemas.js';

const Int = Type.Integer();
const Json = Type.Unknown();

const CallSummary = Strict({
  id: Id('call'),
  tenantId: Type.String(),
  agentId: Nullable(Type.String()),
  agentName: Nullable(Type.String()),
  agentVersionId: Nullable(Type.String()),
  agentVersion: Nullable(Int),
  fromNumber: Nullable(Type.String()),
  toNumber: Nullable(Type.String()),
  transport: Nullable(StringEnum(CALL_TRANSPORTS)),
  status: StringEnum(CALL_STATUSES),
  endReason: Nullable(StringEnum(CALL_END_REASONS)),
  outcome: Nullable(Type.String({ description: 'label the agent reported with its set_outcome tool' })),
  legalHold: Type.Boolean(),
  startedAt: Timestamp,
  answeredAt: NullableTimestamp,
  endedAt: NullableTimestamp,
  durationMs: Nullable(Int),
});

const Metrics = Strict({
  callerTalkMs: Int,
  agentTalkMs: Int,
  callerTurns: Int,
  agentTurns: Int,
  interruptions: Int,
  turnLatencyCount: Int,
  turnLatencySumMs: Int,
  turnLatencyP50Ms: Nullable(Int),
  turnLatencyP95Ms: Nullable(Int),
  toolExecutions: Type.Record(Type.String(), Int, { description: 'executions by status' }),
  toolCalls: Int,
  toolSuccesses: Int,
  costUsd: Type.String(),
  computedAt: Timestamp,
});

const ToolStatus = StringEnum([
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'circuit_open',
] as const);
const execution = (extra: Record<string, TSchema>, attempt: Record<string, TSchema>) =>
  Strict({
    id: Type.String(),
    toolName: Type.String(),
    status: ToolStatus,
    turn: Nullable(Int),
    startedAt: Timestamp,
    finishedAt: NullableTimestamp,
    durationMs: Nullable(Int),
    ...extra,
    attempts: Type.Array(
      Strict({
        attempt: Int,
        outcome: Type.String(),
        statusCode: Nullable(Int),
        durationMs: Int,
        startedAt: Timestamp,
        ...attempt,
      }),
    ),
  });

const Analysis = Strict(
  {
    status: StringEnum(ANALYSIS_STATUSES, {
      description: 'pending/running while queued, done, failed after its retries, skipped (no caller speech)',
    }),
    summary: Nullable(Type.String()),
    data: Nullable(
      Type.Record(Type.String(), Json, { description: "fields per the agent's analysis.dataSchema" }),
    ),
    success: Nullable(Type.Boolean({ description: "verdict by the agent's analysis.successRubric" })),
    successReason: Nullable(Type.String()),
  },
  { description: 'post-call analysis; null until the call has ended' },
);

const detail = (view: 'internal' | 'client', toolExecution: TSchema) =>
  Strict(
    {
      view: Type.Literal(view),
      call: CallSummary,
      metrics: Nullable(Metrics),
      analysis: Nullable(Analysis),
      timeline: Type.Array(
        Strict({
          id: Int,
          type: Type.String(),
          at: Timestamp,
          data: Nullable(Type.Record(Type.String(), Json)),
        }),
      ),
      transcript: Type.Array(
        Strict({
          seq: Int,
          speaker: StringEnum(['caller', 'agent'] as const),
          text: Type.String(),
          startMs: Int,
          endMs: Int,
          interrupted: Type.Boolean(),
          latencyMs: Nullable(Int),
        }),
      ),
      toolExecutions: Type.Array(toolExecution),
      costs: Strict({
        lines: Type.Array(
          Strict({
            provider: Type.String(),
            metric: Type.String(),
            quantity: Type.String(),
            unitPriceUsd: Type.String(),
            amountUsd: Type.String(),
          }),
        ),
        totalUsd: Type.String(),
      }),
      recording: Nullable(
        Strict({
          id: Type.String(),
          contentType: Type.String(),
          channels: Int,
          sampleRate: Int,
          durationMs: Int,
          sizeBytes: Int,
          createdAt: Timestamp,
        }),
      ),
      recordingUrl: Nullable(
        Type.String({
          description: 'signed playback path for <audio>, valid a few minutes, for this viewer',
        }),
      ),
      recordingUrlExpiresAt: NullableTimestamp,
      retention: Strict({
        policyDays: Nullable(Int),
        expiresAt: NullableTimestamp,
        onLegalHold: Type.Boolean(),
        deletedAt: NullableTimestamp,
      }),
    },
    {
      description:
        view === 'internal'
          ? 'Internal staff: tool arguments, results and attempt request/response bodies included.'
          : 'Client viewer: tool name, status, duration and attempt outcomes; no request or response bodies.',
    },
  );

export const CallDetailInternal = detail(
  'internal',
  execution(
    { arguments: Json, result: Json, error: Json },
    { errorClass: Nullable(Type.String()), request: Json, response: Json },
  ),
);
export const CallDetailClient = detail('client', execution({}, {}));

export const callDetailRoutes = routePlugin(['calls'], (route, ctx) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls/:callId',
    access: 'calls:read',
    summary: 'One call: summary, timeline, transcript, tool executions, costs, recording, retention',
    params: Strict({ tenantId: Id('tenant'), callId: Id('call') }),
    response: { 200: Type.Union([CallDetailInternal, CallDetailClient]) },
    handler: async (request) => {
      const { tenantId, callId } = request.params;
      const internal = authorize(request.principal!, 'calls:inspect', tenantId).allowed;
      return getCallDetail(ctx.deps, {
        tenantId,
        callId,
        view: internal ? 'internal' : 'client',
        viewer: request.actor.id ?? '-',
      });
    },
  });
});
