import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
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
import type { AppContext } from '../context.js';
import {
  ErrorBody,
  errorResponses,
  Id,
  NullableTimestamp,
  Page,
  PageQuery,
  Strict,
  TenantParams,
  Timestamp,
} from '../schemas.js';

const Tool = Strict({
  ...ToolSnapshot.properties,
  tenantId: Id('tenant'),
  archivedAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const ToolParams = Strict({ tenantId: Id('tenant'), toolId: Id('tool') });
const withConflicts = { ...errorResponses, 409: ErrorBody };

export const toolRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { deps } = ctx;
  const tags = ['tools'];

  app.get(
    '/api/tenants/:tenantId/tools',
    {
      config: { access: 'tools:read' },
      schema: {
        tags,
        summary: "A tenant's tools, newest first",
        params: TenantParams,
        querystring: Strict({ ...PageQuery.properties, includeArchived: Type.Optional(Type.Boolean()) }),
        response: { 200: Page(Tool), ...errorResponses },
      },
    },
    async (request) => listTools(deps, request.params.tenantId, request.query),
  );

  app.post(
    '/api/tenants/:tenantId/tools',
    {
      config: { access: 'tools:write', action: 'tool.create' },
      schema: {
        tags,
        summary: 'Create a tool (input schema checked as JSON Schema draft 2020-12)',
        params: TenantParams,
        body: CreateToolInput,
        response: { 201: Tool, ...withConflicts },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createTool(deps, request.actor, request.params.tenantId, request.body)),
  );

  app.get(
    '/api/tenants/:tenantId/tools/:toolId',
    {
      config: { access: 'tools:read' },
      schema: { tags, summary: 'Get a tool', params: ToolParams, response: { 200: Tool, ...errorResponses } },
    },
    async (request) => getTool(deps, request.params.tenantId, request.params.toolId),
  );

  app.patch(
    '/api/tenants/:tenantId/tools/:toolId',
    {
      config: { access: 'tools:write', action: 'tool.update' },
      schema: {
        tags,
        summary: 'Change a tool (published agent versions keep their snapshot)',
        params: ToolParams,
        body: UpdateToolInput,
        response: { 200: Tool, ...withConflicts },
      },
    },
    async (request) =>
      updateTool(deps, request.actor, request.params.tenantId, request.params.toolId, request.body),
  );

  app.delete(
    '/api/tenants/:tenantId/tools/:toolId',
    {
      config: { access: 'tools:write', action: 'tool.archive' },
      schema: {
        tags,
        summary: 'Archive a tool (it can no longer be published; live versions keep it)',
        params: ToolParams,
        response: { 200: Tool, ...errorResponses },
      },
    },
    async (request) => archiveTool(deps, request.actor, request.params.tenantId, request.params.toolId),
  );
};
