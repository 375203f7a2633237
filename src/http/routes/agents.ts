import { Type } from 'typebox';
import {
  AgentConfig,
  AgentDraft,
  AgentDraftPatch,
  archiveAgent,
  checkAgentDraft,
  createAgent,
  diffAgentVersions,
  getAgent,
  getAgentVersion,
  listAgents,
  listAgentVersions,
  publishAgentVersion,
  rollbackAgent,
  updateAgent,
} from '../../control/agents/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import {
  ErrorBody,
  Id,
  NullableTimestamp,
  Page,
  PageQuery,
  Strict,
  StringEnum,
  TenantParams,
  Timestamp,
} from '../schemas.js';
import { AgentParams, ArchivableListQuery } from '../tenant-resource-schemas.js';
import { mayOverridePublishGate } from './agent-tests.js';

const Agent = Strict({
  id: Id('agent'),
  tenantId: Id('tenant'),
  name: Type.String(),
  draft: AgentDraft,
  liveVersionId: Nullable(Id('agentVersion')),
  liveVersion: Nullable(Type.Integer()),
  archivedAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const AgentVersion = Strict({
  id: Id('agentVersion'),
  agentId: Id('agent'),
  version: Type.Integer(),
  config: AgentConfig,
  note: Nullable(Type.String()),
  publishedBy: Nullable(Type.String()),
  testRunId: Nullable(
    Type.String({ description: 'the passing test run that let this version be published' }),
  ),
  gateOverride: Nullable(
    Strict({ reason: Type.String(), by: Nullable(Type.String()), runId: Nullable(Type.String()) }),
  ),
  createdAt: Timestamp,
  live: Type.Boolean(),
});
const FieldIssue = Strict({ field: Type.String(), message: Type.String() });
const ConfigChange = Strict({
  path: Type.String(),
  kind: StringEnum(['added', 'removed', 'changed'] as const),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});
const Name = Type.String({ minLength: 1, maxLength: 120 });
const VersionNumber = Type.Integer({ minimum: 1 });
const VersionParams = Strict({ ...AgentParams.properties, version: VersionNumber });
const publishErrors = { 409: ErrorBody, 422: ErrorBody };

export const agentRoutes = routePlugin(['agents'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/agents',
    access: 'agents:read',
    summary: "A tenant's agents, newest first",
    params: TenantParams,
    querystring: ArchivableListQuery,
    response: { 200: Page(Agent) },
    handler: async (request) => listAgents(deps, request.params.tenantId, request.query),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/agents',
    access: 'agents:write',
    action: 'agent.create',
    summary: 'Create an agent with a draft (defaults fill what is left out)',
    params: TenantParams,
    body: Strict({ name: Name, draft: Type.Optional(AgentDraftPatch) }),
    response: { 201: Agent },
    handler: async (request) => createAgent(deps, request.actor, request.params.tenantId, request.body),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/agents/:agentId',
    access: 'agents:read',
    summary: 'Get an agent and its draft',
    params: AgentParams,
    response: { 200: Agent },
    handler: async (request) => getAgent(deps, request.params.tenantId, request.params.agentId),
  });

  route({
    method: 'PATCH',
    url: '/api/tenants/:tenantId/agents/:agentId',
    access: 'agents:write',
    action: 'agent.update',
    summary: 'Rename the agent or edit its draft (sections merge field by field)',
    params: AgentParams,
    body: Strict({ name: Type.Optional(Name), draft: Type.Optional(AgentDraftPatch) }),
    response: { 200: Agent },
    handler: async (request) =>
      updateAgent(deps, request.actor, request.params.tenantId, request.params.agentId, request.body),
  });

  route({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/agents/:agentId',
    access: 'agents:write',
    action: 'agent.archive',
    summary: 'Archive an agent (refused while numbers route to it)',
    params: AgentParams,
    response: { 200: Agent, 409: ErrorBody },
    handler: async (request) =>
      archiveAgent(deps, request.actor, request.params.tenantId, request.params.agentId),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/agents/:agentId/draft/check',
    access: 'agents:read',
    summary: 'What publishing the draft now would report',
    params: AgentParams,
    response: { 200: Strict({ publishable: Type.Boolean(), issues: Type.Array(FieldIssue) }) },
    handler: async (request) => checkAgentDraft(deps, request.params.tenantId, request.params.agentId),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/agents/:agentId/versions',
    access: 'agents:read',
    summary: 'Published versions, newest first (cursor: the last version number seen)',
    params: AgentParams,
    querystring: Strict({
      limit: PageQuery.properties.limit,
      cursor: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
    response: { 200: Page(AgentVersion) },
    handler: async (request) =>
      listAgentVersions(deps, request.params.tenantId, request.params.agentId, request.query),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/agents/:agentId/versions',
    access: 'agents:write',
    action: 'agent.publish',
    summary: 'Publish the draft as the next immutable version and make it live',
    description:
      'Answers 422 AGENT_VERSION_INVALID with `details` naming every field that blocks publishing. When the agent has a test suite, a passing run on exactly this draft is required: 409 AGENT_TESTS_REQUIRED (no run) or AGENT_TESTS_FAILED (naming the failing cases); an internal_admin may publish anyway with `override.reason` (audited).',
    params: AgentParams,
    body: Strict({
      note: Type.Optional(Type.String({ maxLength: 1000 })),
      override: Type.Optional(
        Strict({
          reason: Type.String({
            minLength: 3,
            maxLength: 1000,
            description: 'why the tests are overridden',
          }),
        }),
      ),
    }),
    response: { 201: AgentVersion, ...publishErrors },
    // The body is optional: a bare POST publishes without a note.
    preValidation: async (request) => {
      request.body ??= {};
    },
    handler: async (request) =>
      publishAgentVersion(deps, request.actor, request.params.tenantId, request.params.agentId, {
        ...request.body,
        mayOverride: mayOverridePublishGate(request.principal ?? undefined, request.params.tenantId),
      }),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/agents/:agentId/versions/:version',
    access: 'agents:read',
    summary: 'Get a published version',
    params: VersionParams,
    response: { 200: AgentVersion },
    handler: async (request) =>
      getAgentVersion(deps, request.params.tenantId, request.params.agentId, request.params.version),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/agents/:agentId/rollback',
    access: 'agents:write',
    action: 'agent.rollback',
    summary: 'Make an earlier published version live again',
    params: AgentParams,
    body: Strict({ version: VersionNumber }),
    response: { 200: AgentVersion },
    handler: async (request) =>
      rollbackAgent(
        deps,
        request.actor,
        request.params.tenantId,
        request.params.agentId,
        request.body.version,
      ),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/agents/:agentId/diff',
    access: 'agents:read',
    summary: 'Field-level differences between two published versions',
    params: AgentParams,
    querystring: Strict({ from: VersionNumber, to: VersionNumber }),
    response: {
      200: Strict({ from: Type.Integer(), to: Type.Integer(), changes: Type.Array(ConfigChange) }),
    },
    handler: async (request) =>
      diffAgentVersions(
        deps,
        request.params.tenantId,
        request.params.agentId,
        request.query.from,
        request.query.to,
      ),
  });
});
