import { Type } from 'typebox';
import { getTenantKpis, listTenantKpis } from '../../analytics/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import { Id, Strict, TenantParams } from '../schemas.js';
import { crossTenantAccess } from './access.js';

const Int = Type.Integer();
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

const kpiFields = {
  calls: Int,
  answeredCalls: Int,
  completedCalls: Int,
  failedCalls: Int,
  containedCalls: Int,
  containmentRate: Nullable(Type.Number({ description: 'contained / answered, 0..1' })),
  avgDurationMs: Nullable(Int),
  p95DurationMs: Nullable(Int),
  toolCalls: Int,
  toolSuccesses: Int,
  toolSuccessRate: Nullable(Type.Number({ description: '0..1' })),
  analysedCalls: Type.Integer({ description: 'calls the post-call analysis judged' }),
  successfulCalls: Type.Integer({ description: "calls judged a success by the agent's rubric" }),
  successRate: Nullable(Type.Number({ description: 'successful / analysed, 0..1' })),
  avgTurnLatencyMs: Nullable(Int),
  outcomes: Type.Record(Type.String(), Int, { description: 'calls per agent-reported outcome label' }),
  costUsd: Type.String(),
};
export const Kpis = Strict(kpiFields);

const TenantKpis = Strict({
  tenantId: Type.String(),
  timezone: Type.String(),
  agentId: Nullable(Type.String()),
  from: Day,
  to: Day,
  totals: Kpis,
  series: Type.Array(Strict({ day: Day, ...kpiFields })),
  previous: Strict({ from: Day, to: Day, totals: Kpis }),
});

const AllTenantKpis = Strict({
  from: Day,
  to: Day,
  items: Type.Array(
    Strict({ tenantId: Type.String(), tenantName: Type.String(), timezone: Type.String(), totals: Kpis }),
  ),
});

export const kpiRoutes = routePlugin(['kpis'], (route, ctx) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/kpis',
    access: 'kpis:read',
    summary: "A tenant's KPIs: totals, daily series and the previous period of the same length",
    description: "Days are counted in the tenant's time zone. Default: the last 30 days.",
    params: TenantParams,
    querystring: Strict({
      from: Type.Optional(Day),
      to: Type.Optional(Day),
      agentId: Type.Optional(Id('agent')),
    }),
    response: { 200: TenantKpis },
    handler: async (request) => getTenantKpis(ctx.deps, request.params.tenantId, request.query),
  });

  route({
    method: 'GET',
    url: '/api/kpis',
    access: 'kpis:read',
    summary: 'KPI totals of every tenant (internal staff)',
    querystring: Strict({ from: Type.Optional(Day), to: Type.Optional(Day) }),
    response: { 200: AllTenantKpis },
    handler: async (request) =>
      listTenantKpis(ctx.deps, crossTenantAccess(request, 'kpis.list'), request.query),
  });
});
