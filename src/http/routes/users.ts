import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listUsers, MIN_PASSWORD_LENGTH } from '../../auth/index.js';
import {
  addTenantMember,
  getUser,
  inviteUser,
  issuePasswordReset,
  listTenantMembers,
  listUserMemberships,
  redeemPasswordToken,
  removeMembership,
  setUserDisabled,
  setUserPassword,
  updateUser,
} from '../../control/users/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
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
import { crossTenantAccess } from './access.js';

const PlatformRole = Type.Union([Type.Literal('internal_admin'), Type.Literal('internal_operator')]);
const userFields = {
  id: Id('user'),
  email: Type.String(),
  name: Type.String(),
  platformRole: Nullable(PlatformRole),
  disabledAt: NullableTimestamp,
  createdAt: Timestamp,
};
const User = Strict(userFields);
const PasswordToken = Strict({
  token: Type.String({ description: 'shown once; the person sets a password with it' }),
  purpose: Type.Union([Type.Literal('invite'), Type.Literal('reset')]),
  expiresAt: Timestamp,
});
const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 });
const Name = Type.String({ minLength: 1, maxLength: 120 });
const UserParams = Strict({ userId: Id('user') });
const MemberParams = Strict({ tenantId: Id('tenant'), userId: Id('user') });
const withConflicts = { ...errorResponses, 409: ErrorBody };

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
        summary:
          'Create or invite a user (agency staff with a platform role, or a client user to add to a tenant)',
        description:
          'Without a password this is an invitation: `invitation.token` (shown once, valid 7 days) lets the person set their own password at POST /api/password-tokens/redeem.',
        body: Strict({
          email: Type.String({ format: 'email', maxLength: 254 }),
          name: Name,
          password: Type.Optional(Password),
          platformRole: Type.Optional(Nullable(PlatformRole)),
        }),
        response: {
          201: Strict({ ...userFields, invitation: Nullable(PasswordToken) }),
          ...withConflicts,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await inviteUser(deps, request.actor, request.body)),
  );

  app.get(
    '/api/users/:userId',
    {
      config: { access: 'users:read' },
      schema: { tags, summary: 'Get a user', params: UserParams, response: { 200: User, ...errorResponses } },
    },
    async (request) => getUser(deps, request.params.userId),
  );

  app.patch(
    '/api/users/:userId',
    {
      config: { access: 'users:write', action: 'user.update' },
      schema: {
        tags,
        summary: "Rename a user or change their platform role (not one's own)",
        params: UserParams,
        body: Strict({
          name: Type.Optional(Name),
          platformRole: Type.Optional(Nullable(PlatformRole)),
        }),
        response: { 200: User, ...withConflicts },
      },
    },
    async (request) => updateUser(deps, request.actor, request.params.userId, request.body),
  );

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/api/users/:userId/${verb}`,
      {
        config: { access: 'users:write', action: `user.${verb}` },
        schema: {
          tags,
          summary: disabled
            ? 'Disable a user: sessions end at once and sign-in fails'
            : 'Re-enable a disabled user',
          params: UserParams,
          response: { 200: User, ...withConflicts },
        },
      },
      async (request) => setUserDisabled(deps, request.actor, request.params.userId, disabled),
    );
  }

  app.put(
    '/api/users/:userId/password',
    {
      config: { access: 'users:write', action: 'user.password_set' },
      schema: {
        tags,
        summary: "Set a user's password (their sessions end)",
        params: UserParams,
        body: Strict({ password: Password }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await setUserPassword(deps, request.actor, request.params.userId, request.body.password);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/users/:userId/password-reset',
    {
      config: { access: 'users:write', action: 'user.password_token.reset' },
      schema: {
        tags,
        summary:
          'Issue a one-time reset token (24 h) for the user to choose a new password; their sessions end',
        params: UserParams,
        response: { 201: PasswordToken, ...withConflicts },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await issuePasswordReset(deps, request.actor, request.params.userId)),
  );

  app.post(
    '/api/password-tokens/redeem',
    {
      config: { access: 'public', action: 'user.password_set' },
      schema: {
        tags,
        summary: 'Set your password with an invitation or reset token (then sign in)',
        security: [],
        body: Strict({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password }),
        response: { 204: Type.Null(), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      await redeemPasswordToken(deps, request.actor, request.body);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/users/:userId/memberships',
    {
      config: { access: 'users:read' },
      schema: {
        tags,
        summary: 'The tenants a user belongs to',
        params: UserParams,
        response: {
          200: Strict({
            items: Type.Array(
              Strict({
                userId: Id('user'),
                tenantId: Id('tenant'),
                role: Type.Literal('client_viewer'),
                createdAt: Timestamp,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      items: await listUserMemberships(
        deps,
        crossTenantAccess(request, 'users.memberships'),
        request.params.userId,
      ),
    }),
  );

  app.get(
    '/api/tenants/:tenantId/members',
    {
      config: { access: 'users:read' },
      schema: {
        tags,
        summary: "A tenant's members and their roles",
        params: TenantParams,
        querystring: PageQuery,
        response: {
          200: Page(Strict({ ...userFields, role: Type.Literal('client_viewer') })),
          ...errorResponses,
        },
      },
    },
    async (request) => listTenantMembers(deps, request.params.tenantId, request.query),
  );

  app.put(
    '/api/tenants/:tenantId/members/:userId',
    {
      config: { access: 'users:write', action: 'membership.upsert' },
      schema: {
        tags,
        summary: 'Give a user a role in a tenant',
        params: MemberParams,
        body: Strict({ role: Type.Literal('client_viewer') }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await addTenantMember(deps, request.actor, { ...request.params, role: request.body.role });
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/tenants/:tenantId/members/:userId',
    {
      config: { access: 'users:write', action: 'membership.remove' },
      schema: {
        tags,
        summary: "Remove a user's access to a tenant",
        params: MemberParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeMembership(deps, request.actor, request.params.tenantId, request.params.userId);
      return reply.status(204).send(null);
    },
  );
};
