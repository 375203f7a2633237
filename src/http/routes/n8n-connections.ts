import { Type } from 'typebox';
import {
  ConnectionTestResult,
  CreateN8nConnectionInput,
  createN8nConnection,
  deleteN8nConnection,
  getN8nConnection,
  listN8nConnections,
  listN8nWorkflows,
  N8nWorkflowSummary,
  SecretState,
  testN8nConnection,
  testN8nSettings,
  UpdateN8nConnectionInput,
  updateN8nConnection,
  WebhookAuthView,
} from '../../control/n8n/index.js';
import { connectionCircuits } from '../../gateway/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import { ErrorBody, Id, Page, PageQuery, Strict, StringEnum, TenantParams, Timestamp } from '../schemas.js';
import { tenantResourceParams } from '../tenant-resource-schemas.js';

const N8nConnection = Strict({
  id: Id('n8nConnection'),
  tenantId: Id('tenant'),
  name: Type.String(),
  baseUrl: Type.String(),
  apiKey: SecretState,
  webhookAuth: WebhookAuthView,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const circuitFields = {
  state: StringEnum(['closed', 'open', 'half_open'] as const, {
    description: 'open: executions fail fast with circuit_open; half_open: the next one is a trial',
  }),
  consecutiveFailures: Type.Integer({ minimum: 0, description: 'failed executions in a row' }),
  retryInMs: Nullable(
    Type.Integer({ minimum: 0, description: 'until an open circuit lets a trial through' }),
  ),
};
const CircuitsView = Strict({
  connectionId: Id('n8nConnection'),
  connection: Strict(circuitFields, {
    description: 'the n8n instance: opened by connection-level failures (refused, DNS, TLS, 502/503/504)',
  }),
  tools: Type.Array(
    Strict(
      { toolId: Id('tool'), toolName: Type.String(), ...circuitFields },
      { description: "one tool's workflow: opened by its own errors (an n8n 500) and webhook timeouts" },
    ),
  ),
});
const ConnectionParams = tenantResourceParams('connectionId', 'n8nConnection');
const upstreamErrors = { 409: ErrorBody, 502: ErrorBody };

export const n8nConnectionRoutes = routePlugin(['n8n connections'], (route, { deps, outbound, gateway }) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/n8n-connections',
    access: 'n8n:read',
    summary: "A tenant's n8n connections (secrets shown only as set/last four)",
    params: TenantParams,
    querystring: PageQuery,
    response: { 200: Page(N8nConnection) },
    handler: async (request) => listN8nConnections(deps, request.params.tenantId, request.query),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/n8n-connections',
    access: 'n8n:write',
    action: 'n8n_connection.create',
    summary: 'Add an n8n connection (secrets are encrypted at rest and never returned)',
    params: TenantParams,
    body: CreateN8nConnectionInput,
    response: { 201: N8nConnection, 409: ErrorBody },
    handler: async (request) =>
      createN8nConnection(deps, outbound, request.actor, request.params.tenantId, request.body),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/n8n-connections/test',
    access: 'n8n:write',
    action: 'n8n_connection.test',
    summary: 'Try a base URL and API key before saving them',
    params: TenantParams,
    body: Strict({
      baseUrl: CreateN8nConnectionInput.properties.baseUrl,
      apiKey: Type.String({ minLength: 1, maxLength: 4096 }),
    }),
    response: { 200: ConnectionTestResult },
    handler: async (request) => testN8nSettings(outbound, request.body),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/n8n-connections/:connectionId',
    access: 'n8n:read',
    summary: 'Get an n8n connection',
    params: ConnectionParams,
    response: { 200: N8nConnection },
    handler: async (request) => getN8nConnection(deps, request.params.tenantId, request.params.connectionId),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/n8n-connections/:connectionId/circuits',
    access: 'n8n:read',
    summary: "Circuit breaker state of the connection's n8n instance and of each tool bound to it",
    description:
      'Failures are counted once per execution. Connection-level failures open the connection circuit and stop every tool on it; a workflow that throws or times out opens only its own tool circuit. Openings and closings are shared between server processes through the store; failure counts are per process.',
    params: ConnectionParams,
    response: { 200: CircuitsView },
    handler: async (request) =>
      connectionCircuits(deps, gateway, request.params.tenantId, request.params.connectionId),
  });

  route({
    method: 'PATCH',
    url: '/api/tenants/:tenantId/n8n-connections/:connectionId',
    access: 'n8n:write',
    action: 'n8n_connection.update',
    summary: 'Change or rotate: a new apiKey or webhook secret replaces the stored one',
    params: ConnectionParams,
    body: UpdateN8nConnectionInput,
    response: { 200: N8nConnection, 409: ErrorBody },
    handler: async (request) =>
      updateN8nConnection(
        deps,
        outbound,
        request.actor,
        request.params.tenantId,
        request.params.connectionId,
        request.body,
      ),
  });

  route({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/n8n-connections/:connectionId',
    access: 'n8n:write',
    action: 'n8n_connection.delete',
    summary: 'Delete a connection no active tool is bound to',
    params: ConnectionParams,
    response: { 200: N8nConnection, 409: ErrorBody },
    handler: async (request) =>
      deleteN8nConnection(deps, request.actor, request.params.tenantId, request.params.connectionId),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/n8n-connections/:connectionId/test',
    access: 'n8n:read',
    action: 'n8n_connection.test',
    summary: 'Test the connection: ok, bad_key, unreachable, not_n8n or blocked, with a message',
    params: ConnectionParams,
    response: { 200: ConnectionTestResult },
    handler: async (request) =>
      testN8nConnection(deps, outbound, request.params.tenantId, request.params.connectionId),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/n8n-connections/:connectionId/workflows',
    access: 'n8n:read',
    summary: "The connection's n8n workflows with their webhook paths (n8n's cursor passes through)",
    params: ConnectionParams,
    querystring: Strict({
      limit: Type.Integer({ minimum: 1, maximum: 250, default: 50 }),
      cursor: Type.Optional(Type.String({ maxLength: 1000 })),
      active: Type.Optional(Type.Boolean()),
      name: Type.Optional(Type.String({ maxLength: 200 })),
    }),
    response: { 200: Page(N8nWorkflowSummary), ...upstreamErrors },
    handler: async (request) =>
      listN8nWorkflows(deps, outbound, request.params.tenantId, request.params.connectionId, request.query),
  });
});
