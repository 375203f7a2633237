import { Type } from 'typebox';
import { createTenant, getTenant, listTenants, updateTenant } from '../../control/tenants/index.js';
import { routePlugin } from '../route.js';
import { ErrorBody, Id, Page, PageQuery, Strict, TenantParams, Timestamp } from '../schemas.js';
import { crossTenantAccess } from './access.js';

const TenantStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);
const Tenant = Strict({
  id: Id('tenant'),
  name: Type.String(),
  slug: Type.String(),
  status: TenantStatus,
  maxConcurrentCalls: Type.Integer(),
  timezone: Type.String({ description: 'IANA time zone; KPI days are counted in it' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const Name = Type.String({ minLength: 1, maxLength: 120 });
const MaxConcurrentCalls = Type.Integer({ minimum: 1, maximum: 1000 });

export const tenantRoutes = routePlugin(['tenants'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/tenants',
    access: 'tenants:list',
    summary: 'List tenants',
    querystring: PageQuery,
    response: { 200: Page(Tenant) },
    handler: async (request) => listTenants(deps, crossTenantAccess(request, 'tenants.list'), request.query),
  });

  route({
    method: 'POST',
    url: '/api/tenants',
    access: 'tenants:write',
    action: 'tenant.create',
    summary: 'Create a tenant (a client business)',
    body: Strict({
      name: Name,
      slug: Type.String({
        pattern: '^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$',
        description: 'lowercase, digits, dashes',
      }),
      maxConcurrentCalls: Type.Optional(MaxConcurrentCalls),
    }),
    response: { 201: Tenant, 409: ErrorBody },
    handler: async (request) => createTenant(deps, request.actor, request.body),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId',
    access: 'tenants:read',
    summary: 'Get a tenant',
    params: TenantParams,
    response: { 200: Tenant },
    handler: async (request) => getTenant(deps, request.params.tenantId),
  });

  route({
    method: 'PATCH',
    url: '/api/tenants/:tenantId',
    access: 'tenants:write',
    action: 'tenant.update',
    summary: 'Rename, suspend or reactivate a tenant',
    params: TenantParams,
    body: Strict({
      name: Type.Optional(Name),
      status: Type.Optional(TenantStatus),
      maxConcurrentCalls: Type.Optional(MaxConcurrentCalls),
      timezone: Type.Optional(
        Type.String({ minLength: 1, maxLength: 64, description: 'IANA, e.g. Europe/Berlin' }),
      ),
    }),
    response: { 200: Tenant },
    handler: async (request) => updateTenant(deps, request.actor, request.params.tenantId, request.body),
  });
});
