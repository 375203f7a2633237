import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { type CallListFilters, exportCallsCsv, listAllCalls, listCalls } from '../../analytics/index.js';
import { CALL_END_REASONS, CALL_STATUSES, CALL_TRANSPORTS } from '../../db/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import {
  Id,
  NullableTimestamp,
  Page,
  Strict,
  StringEnum,
  TenantParams,
  Timestamp,
  TimestampInput,
} from '../schemas.js';
import { crossTenantAccess } from './access.js';

const CallStatus = StringEnum(CALL_STATUSES);
const Transport = StringEnum(CALL_TRANSPORTS);
const EndReason = StringEnum(CALL_END_REASONS);
const Label = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

export const CallListItem = Strict({
  id: Id('call'),
  tenantId: Type.String(),
  agentId: Nullable(Type.String()),
  agentName: Nullable(Type.String()),
  agentVersionId: Nullable(Type.String()),
  fromNumber: Nullable(Type.String()),
  toNumber: Nullable(Type.String()),
  transport: Nullable(Transport),
  status: CallStatus,
  endReason: Nullable(EndReason),
  outcome: Nullable(Type.String()),
  legalHold: Type.Boolean(),
  hasRecording: Type.Boolean(),
  startedAt: Timestamp,
  endedAt: NullableTimestamp,
  durationMs: Nullable(Type.Integer()),
});

const DurationMs = Type.Integer({ minimum: 0, maximum: 86_400_000 });
const filterProperties = {
  from: Type.Optional(TimestampInput),
  to: Type.Optional(TimestampInput),
  agentId: Type.Optional(Id('agent')),
  status: Type.Optional(CallStatus),
  endReason: Type.Optional(EndReason),
  outcome: Type.Optional(Label),
  minDurationMs: Type.Optional(DurationMs),
  maxDurationMs: Type.Optional(DurationMs),
  hasRecording: Type.Optional(Type.Boolean()),
  legalHold: Type.Optional(Type.Boolean()),
  success: Type.Optional(
    Type.Boolean({ description: "the post-call analysis judged the call a success by the agent's rubric" }),
  ),
  caller: Type.Optional(
    Type.String({
      pattern: '^\\+?[0-9]{1,15}$',
      description: '+E.164 matches the caller exactly; bare digits match part of the number',
    }),
  ),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'transcript search' })),
};
const pageProperties = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
};
/** A streamed text/csv body (header row first, CRLF line ends). */
const CsvBody = Type.Unsafe<Readable>({ type: 'string', description: 'text/csv' });
const AllTenants = { tenantId: Type.Optional(Id('tenant')) };

type FilterQuery = Omit<CallListFilters, 'from' | 'to'> & { from?: string; to?: string };

function toFilters<T extends FilterQuery>({ from, to, ...rest }: T) {
  return { ...rest, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) };
}

function csvFileName(scope: string, filters: CallListFilters): string {
  const day = (d: Date | undefined) => d?.toISOString().slice(0, 10);
  const range = [day(filters.from), day(filters.to)].filter(Boolean).join('_');
  return `calls-${scope}${range ? `-${range}` : ''}.csv`;
}

export const callRoutes = routePlugin(['calls'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls',
    access: 'calls:read',
    summary: "A tenant's calls, newest first, filtered; keyset pages (pass nextCursor as cursor)",
    params: TenantParams,
    querystring: Strict({ ...pageProperties, ...filterProperties }),
    response: { 200: Page(CallListItem) },
    handler: async (request) => listCalls(deps, request.params.tenantId, toFilters(request.query)),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls.csv',
    access: 'calls:read',
    summary: "A tenant's filtered calls as CSV (streamed, newest first)",
    params: TenantParams,
    querystring: Strict(filterProperties),
    response: { 200: CsvBody },
    handler: async (request, reply) => {
      const filters = toFilters(request.query);
      const csv = exportCallsCsv(deps, { tenantId: request.params.tenantId }, filters);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${csvFileName(request.params.tenantId, filters)}"`,
        )
        .send(Readable.from(csv));
    },
  });

  route({
    method: 'GET',
    url: '/api/calls',
    access: 'calls:inspect',
    summary: "Every tenant's calls (agency staff), newest first, filtered",
    querystring: Strict({ ...pageProperties, ...filterProperties, ...AllTenants }),
    response: { 200: Page(CallListItem) },
    handler: async (request) =>
      listAllCalls(deps, crossTenantAccess(request, 'calls.list'), toFilters(request.query)),
  });

  route({
    method: 'GET',
    url: '/api/calls.csv',
    access: 'calls:inspect',
    summary: "Every tenant's filtered calls as CSV (agency staff)",
    querystring: Strict({ ...filterProperties, ...AllTenants }),
    response: { 200: CsvBody },
    handler: async (request, reply) => {
      const { tenantId, ...query } = request.query;
      const filters = toFilters(query);
      const access = crossTenantAccess(request, 'calls.export');
      const csv = exportCallsCsv(deps, { access, ...(tenantId ? { tenantId } : {}) }, filters);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${csvFileName(tenantId ?? 'all', filters)}"`)
        .send(Readable.from(csv));
    },
  });
});
