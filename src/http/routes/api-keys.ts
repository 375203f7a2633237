import { Type } from 'typebox';
import { createApiKey, listApiKeys, ROLES, revokeApiKey } from '../../auth/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { routePlugin } from '../route.js';
import {
  Id,
  NullableTimestamp,
  Page,
  PageQuery,
  Strict,
  StringEnum,
  Timestamp,
  TimestampInput,
} from '../schemas.js';

const Role = StringEnum(ROLES);
const ApiKey = Strict({
  id: Id('apiKey'),
  name: Type.String(),
  prefix: Type.String(),
  role: Role,
  tenantId: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  lastUsedAt: NullableTimestamp,
  expiresAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const apiKeyRoutes = routePlugin(['api keys'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/api-keys',
    access: 'api_keys:read',
    summary: 'List API keys (never the secrets)',
    querystring: PageQuery,
    response: { 200: Page(ApiKey) },
    handler: async (request) => listApiKeys(deps, request.query),
  });

  route({
    method: 'POST',
    url: '/api/api-keys',
    access: 'api_keys:write',
    action: 'api_key.create',
    summary: 'Create an API key for machine access; the secret is shown once',
    body: Strict({
      name: Type.String({ minLength: 1, maxLength: 120 }),
      role: Role,
      tenantId: Type.Optional(Nullable(Id('tenant'))),
      expiresAt: Type.Optional(Nullable(TimestampInput)),
    }),
    response: { 201: Strict({ ...ApiKey.properties, key: Type.String() }) },
    handler: async (request) => {
      const { expiresAt, ...rest } = request.body;
      return createApiKey(deps, request.actor, {
        ...rest,
        expiresAt: expiresAt ? new Date(expiresAt) : null,
      });
    },
  });

  route({
    method: 'DELETE',
    url: '/api/api-keys/:id',
    access: 'api_keys:write',
    action: 'api_key.revoke',
    summary: 'Revoke an API key',
    params: Strict({ id: Id('apiKey') }),
    response: { 200: ApiKey },
    handler: async (request) => revokeApiKey(deps, request.actor, request.params.id),
  });
});
