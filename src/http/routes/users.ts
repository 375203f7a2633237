import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addMembership, createUser, listUsers, MIN_PASSWORD_LENGTH } from '../../auth/index.js';
import type { AppContext } from '../context.js';
import { errorResponses, Id, NullableTimestamp, Page, PageQuery, Strict, Timestamp } from '../schemas.js';

const PlatformRole = Type.Union([Type.Literal('internal_admin'), Type.Literal('internal_operator')]);
const User = Strict({
  id: Id('user'),
  email: Type.String(),
  name: Type.String(),
  platformRole: Type.Union([PlatformRole, Type.Null()]),
  disabledAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { deps } = ctx;
  const tags = ['users'];

  app.get(
    '/api/users',
    {
      config: { access: 'users:read' },
      schema: {
        tags,
        summary: 'List users',
        querystring: PageQuery,
        response: { 200: Page(User), ...errorResponses },
      },
    },
    async (request) => listUsers(deps, request.query),
  );

  app.post(
    '/api/users',
    {
      config: { access: 'users:write', action: 'user.create' },
      schema: {
        tags,
        summary: 'Create a user (agency staff with a platform role, or a client user to add to a tenant)',
        body: Strict({
          email: Type.String({ format: 'email', maxLength: 254 }),
          name: Type.String({ minLength: 1, maxLength: 120 }),
          password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 }),
          platformRole: Type.Optional(Type.Union([PlatformRole, Type.Null()])),
        }),
        response: { 201: User, ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const user = await createUser(deps, request.actor, request.body);
      return reply.status(201).send(user);
    },
  );

  app.put(
    '/api/tenants/:tenantId/members/:userId',
    {
      config: { access: 'users:write', action: 'membership.upsert' },
      schema: {
        tags,
        summary: 'Give a user a role in a tenant',
        params: Strict({ tenantId: Id('tenant'), userId: Id('user') }),
        body: Strict({ role: Type.Literal('client_viewer') }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await addMembership(deps, request.actor, { ...request.params, role: request.body.role });
      return reply.status(204).send(null);
    },
  );
};
