import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listCalls } from '../../analytics/index.js';
import type { AppContext } from '../context.js';
import {
  errorResponses,
  Id,
  NullableTimestamp,
  Page,
  PageQuery,
  Strict,
  StringEnum,
  TenantParams,
  Timestamp,
} from '../schemas.js';

const CallStatus = StringEnum(['ringing', 'in_progress', 'completed', 'failed', 'rejected'] as const);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const CallSummary = Strict({
  id: Id('call'),
  tenantId: Type.String(),
  agentId: Nullable(Type.String()),
  agentVersionId: Nullable(Type.String()),
  fromNumber: Nullable(Type.String()),
  toNumber: Nullable(Type.String()),
  status: CallStatus,
  endReason: Nullable(Type.String()),
  legalHold: Type.Boolean(),
  startedAt: Timestamp,
  endedAt: NullableTimestamp,
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
});

export const callRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/tenants/:tenantId/calls',
    {
      config: { access: 'calls:read' },
      schema: {
        tags: ['calls'],
        summary: "A tenant's calls, newest first",
        params: TenantParams,
        querystring: Strict({ ...PageQuery.properties, status: Type.Optional(CallStatus) }),
        response: { 200: Page(CallSummary), ...errorResponses },
      },
    },
    async (request) => listCalls(ctx.deps, request.params.tenantId, request.query),
  );
};
