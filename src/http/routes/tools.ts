import {
  archiveTool,
  CreateToolInput,
  createTool,
  getTool,
  listTools,
  ToolSnapshot,
  UpdateToolInput,
  updateTool,
} from '../../control/tools/index.js';
import { routePlugin } from '../route.js';
import { ErrorBody, Id, NullableTimestamp, Page, Strict, TenantParams, Timestamp } from '../schemas.js';
import { ArchivableListQuery, ToolParams } from '../tenant-resource-schemas.js';

const Tool = Strict({
  ...ToolSnapshot.properties,
  tenantId: Id('tenant'),
  archivedAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const toolRoutes = routePlugin(['tools'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/tools',
    access: 'tools:read',
    summary: "A tenant's tools, newest first",
    params: TenantParams,
    querystring: ArchivableListQuery,
    response: { 200: Page(Tool) },
    handler: async (request) => listTools(deps, request.params.tenantId, request.query),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/tools',
    access: 'tools:write',
    action: 'tool.create',
    summary: 'Create a tool (input schema checked as JSON Schema draft 2020-12)',
    params: TenantParams,
    body: CreateToolInput,
    response: { 201: Tool, 409: ErrorBody },
    handler: async (request) => createTool(deps, request.actor, request.params.tenantId, request.body),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/tools/:toolId',
    access: 'tools:read',
    summary: 'Get a tool',
    params: ToolParams,
    response: { 200: Tool },
    handler: async (request) => getTool(deps, request.params.tenantId, request.params.toolId),
  });

  route({
    method: 'PATCH',
    url: '/api/tenants/:tenantId/tools/:toolId',
    access: 'tools:write',
    action: 'tool.update',
    summary: 'Change a tool (published agent versions keep their snapshot)',
    params: ToolParams,
    body: UpdateToolInput,
    response: { 200: Tool, 409: ErrorBody },
    handler: async (request) =>
      updateTool(deps, request.actor, request.params.tenantId, request.params.toolId, request.body),
  });

  route({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/tools/:toolId',
    access: 'tools:write',
    action: 'tool.archive',
    summary: 'Archive a tool (it can no longer be published; live versions keep it)',
    params: ToolParams,
    response: { 200: Tool },
    handler: async (request) =>
      archiveTool(deps, request.actor, request.params.tenantId, request.params.toolId),
  });
});
