import { Type } from 'typebox';
import { listAudit } from '../../audit/index.js';
import { routePlugin } from '../route.js';
import { Id, Page, PageQuery, Strict, TenantParams, Timestamp } from '../schemas.js';
import { crossTenantAccess } from './access.js';

const AuditRow = Strict({
  id: Type.String(),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  actorKind: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  summary: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
const Filters = { action: Type.Optional(Type.String({ maxLength: 100 })) };

export const auditRoutes = routePlugin(['audit'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/audit-log',
    access: 'audit:read',
    summary: 'Audit log across the platform',
    querystring: Strict({ ...PageQuery.properties, ...Filters, tenantId: Type.Optional(Id('tenant')) }),
    response: { 200: Page(AuditRow) },
    handler: async (request) => listAudit(deps, crossTenantAccess(request, 'audit.list'), request.query),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/audit-log',
    access: 'audit:read',
    summary: "One tenant's audit log",
    params: TenantParams,
    querystring: Strict({ ...PageQuery.properties, ...Filters }),
    response: { 200: Page(AuditRow) },
    handler: async (request) =>
      listAudit(deps, crossTenantAccess(request, 'audit.list'), {
        ...request.query,
        tenantId: request.params.tenantId,
      }),
  });
});
