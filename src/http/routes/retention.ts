import { Type } from 'typebox';
import { Nullable } from '../../lib/schema-helpers.js';
import {
  CSV_MAX_ROWS,
  deletionAuditCsv,
  getRetentionPolicy,
  getRetentionRun,
  HOLD_REASON_MAX,
  HOLD_REASON_MIN,
  listDeletionAudit,
  listRetentionRuns,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  placeLegalHold,
  releaseLegalHold,
  retentionLock,
  retentionRunsCsv,
  runRetention,
  setRetentionPolicy,
} from '../../retention/index.js';
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
} from '../schemas.js';
import { tenantResourceParams } from '../tenant-resource-schemas.js';
import { crossTenantAccess } from './access.js';

const RetentionPolicy = Strict({
  tenantId: Id('tenant'),
  retentionDays: Type.Integer(),
  deleteRecordings: Type.Boolean(),
  updatedAt: NullableTimestamp,
});

const LegalHold = Strict({
  callId: Id('call'),
  tenantId: Id('tenant'),
  legalHold: Type.Boolean(),
  reason: Nullable(Type.String()),
  heldAt: NullableTimestamp,
  heldBy: Nullable(Type.String()),
  contentDeletedAt: NullableTimestamp,
});
const HoldBody = Strict({
  reason: Type.String({
    minLength: HOLD_REASON_MIN,
    maxLength: HOLD_REASON_MAX,
    description: 'Why (kept in the audit log): single-line text',
  }),
});

const Counts = Strict({
  utterances: Type.Integer(),
  events: Type.Integer(),
  toolBodies: Type.Integer(),
  recordings: Type.Integer(),
  recordingBytes: Type.Integer(),
});
const runFields = {
  id: Id('retentionRun'),
  tenantId: Nullable(Type.String()),
  dryRun: Type.Boolean(),
  trigger: StringEnum(['schedule', 'cli', 'api'] as const),
  actorId: Nullable(Type.String()),
  asOf: Timestamp,
  status: StringEnum(['running', 'succeeded', 'failed'] as const),
  startedAt: Timestamp,
  finishedAt: NullableTimestamp,
  callsExamined: Type.Integer(),
  callsCleaned: Type.Integer({ description: 'In a dry run: calls that would be cleaned' }),
  skippedHold: Type.Integer(),
  errors: Type.Integer(),
  errorMessage: Nullable(Type.String()),
};
const RetentionRun = Strict(runFields);
const RetentionRunResult = Strict({
  ...runFields,
  planned: Type.Optional(
    Type.Array(
      Strict({
        tenantId: Type.String(),
        callId: Type.String(),
        policyDays: Type.Integer(),
        ...Counts.properties,
      }),
    ),
  ),
});
const DeletionAuditRow = Strict({
  id: Type.String(),
  tenantId: Type.String(),
  callId: Type.String(),
  runId: Type.String(),
  dryRun: Type.Boolean(),
  policyDays: Nullable(Type.Integer()),
  deleted: Counts,
  createdAt: Timestamp,
});
const Format = Type.Optional(StringEnum(['json', 'csv'] as const, { description: 'csv: download as CSV' }));
const CsvBody = Type.String({ description: 'text/csv' });

export const retentionRoutes = routePlugin(['retention'], (route, { deps, blobs, database }) => {
  const env = {
    blobs,
    lock: retentionLock(database.db, database.kind),
  };

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/retention-policy',
    access: 'retention:read',
    summary: "How long the tenant's call content is kept after a call ends",
    params: TenantParams,
    response: { 200: RetentionPolicy },
    handler: async (request) => getRetentionPolicy(deps, request.params.tenantId),
  });

  route({
    method: 'PUT',
    url: '/api/tenants/:tenantId/retention-policy',
    access: 'retention:write',
    action: 'retention.policy.update',
    summary: "Set the tenant's retention period (internal admins)",
    params: TenantParams,
    body: Strict({
      retentionDays: Type.Integer({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS }),
      deleteRecordings: Type.Optional(Type.Boolean()),
    }),
    response: { 200: RetentionPolicy },
    handler: async (request) =>
      setRetentionPolicy(deps, request.actor, request.params.tenantId, request.body),
  });

  for (const [method, verb, changeHold] of [
    ['POST', 'place', placeLegalHold],
    ['DELETE', 'release', releaseLegalHold],
  ] as const) {
    route({
      method,
      url: '/api/tenants/:tenantId/calls/:callId/legal-hold',
      access: 'legal_hold:write',
      action: `call.legal_hold.${verb}`,
      summary:
        verb === 'place'
          ? 'Put a call on legal hold: retention never deletes its content while held'
          : 'Release a legal hold; normal retention applies again from the next run',
      params: tenantResourceParams('callId', 'call'),
      body: HoldBody,
      response: { 200: LegalHold },
      handler: async (request) =>
        changeHold(deps, request.actor, request.params.tenantId, request.params.callId, request.body.reason),
    });
  }

  route({
    method: 'POST',
    url: '/api/retention/runs',
    access: 'retention:write',
    action: 'retention.run',
    summary: 'Run the retention cleanup now (or a dry run), and answer the run record',
    description: '409 CONFLICT when another run is in progress (on any instance).',
    body: Strict({
      dryRun: Type.Optional(Type.Boolean()),
      tenantId: Type.Optional(Id('tenant')),
    }),
    response: { 200: RetentionRunResult },
    handler: async (request) => {
      request.actor.audited = true; // the run writes its own audit row, success or failure
      return runRetention(deps, env, {
        trigger: 'api',
        actor: request.actor,
        dryRun: request.body.dryRun,
        tenantId: request.body.tenantId,
      });
    },
  });

  const runsQuery = Strict({
    ...PageQuery.properties,
    tenantId: Type.Optional(Id('tenant')),
    format: Format,
  });
  for (const [url, csvOnly] of [
    ['/api/retention/runs', false],
    ['/api/retention/runs.csv', true],
  ] as const) {
    route({
      method: 'GET',
      url,
      access: 'retention:write',
      summary: csvOnly ? 'Retention runs as CSV' : 'Retention runs, newest first (?format=csv for CSV)',
      querystring: runsQuery,
      response: { 200: csvOnly ? CsvBody : Type.Union([Page(RetentionRun), CsvBody]) },
      handler: async (request, reply) => {
        const { format, ...query } = request.query;
        const access = crossTenantAccess(request, 'retention.runs.list');
        if (csvOnly || format === 'csv') {
          const page = await listRetentionRuns(deps, access, { ...query, limit: CSV_MAX_ROWS });
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="retention-runs.csv"')
            .send(retentionRunsCsv(page.items));
        }
        return listRetentionRuns(deps, access, query);
      },
    });
  }

  route({
    method: 'GET',
    url: '/api/retention/runs/:runId',
    access: 'retention:write',
    summary: 'One retention run',
    params: Strict({ runId: Id('retentionRun') }),
    response: { 200: RetentionRun },
    handler: async (request) =>
      getRetentionRun(deps, crossTenantAccess(request, 'retention.runs.read'), request.params.runId),
  });

  const auditQuery = Strict({
    ...PageQuery.properties,
    callId: Type.Optional(Id('call')),
    runId: Type.Optional(Id('retentionRun')),
    dryRun: Type.Optional(Type.Boolean()),
    format: Format,
  });
  for (const [url, csvOnly] of [
    ['/api/tenants/:tenantId/deletion-audit', false],
    ['/api/tenants/:tenantId/deletion-audit.csv', true],
  ] as const) {
    route({
      method: 'GET',
      url,
      access: 'retention:write',
      summary: csvOnly
        ? "The tenant's deletion audit as CSV"
        : "What retention deleted from the tenant's calls, one row per call per run (?format=csv for CSV)",
      params: TenantParams,
      querystring: auditQuery,
      response: { 200: csvOnly ? CsvBody : Type.Union([Page(DeletionAuditRow), CsvBody]) },
      handler: async (request, reply) => {
        const { format, ...query } = request.query;
        if (csvOnly || format === 'csv') {
          const page = await listDeletionAudit(deps, request.params.tenantId, {
            ...query,
            limit: CSV_MAX_ROWS,
          });
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="deletion-audit.csv"')
            .send(deletionAuditCsv(page.items));
        }
        return listDeletionAudit(deps, request.params.tenantId, query);
      },
    });
  }
});
