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
import { routePlugin } from '../route.js';
import {
  ErrorBody,
  Id,
  NullableTimestamp,
  Page,
  PageQuery,
  Strict,
  TenantParams,
  Timestamp,
} from '../schemas.js';
import { tenantResourceParams } from '../tenant-resource-schemas.js';
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
const MemberParams = tenantResourceParams('userId', 'user');

export const userRoutes = routePlugin(['users'], (route, { deps }) => {
  route({
    method: 'GET',
    url: '/api/users',
    access: 'users:read',
    summary: 'List users',
    querystring: PageQuery,
    response: { 200: Page(User) },
    handler: async (request) => listUsers(deps, request.query),
  });

  route({
    method: 'POST',
    url: '/api/users',
    access: 'users:write',
    action: 'user.create',
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
    response: { 201: Strict({ ...userFields, invitation: Nullable(PasswordToken) }), 409: ErrorBody },
    handler: async (request) => inviteUser(deps, request.actor, request.body),
  });

  route({
    method: 'GET',
    url: '/api/users/:userId',
    access: 'users:read',
    summary: 'Get a user',
    params: UserParams,
    response: { 200: User },
    handler: async (request) => getUser(deps, request.params.userId),
  });

  route({
    method: 'PATCH',
    url: '/api/users/:userId',
    access: 'users:write',
    action: 'user.update',
    summary: "Rename a user or change their platform role (not one's own)",
    params: UserParams,
    body: Strict({
      name: Type.Optional(Name),
      platformRole: Type.Optional(Nullable(PlatformRole)),
    }),
    response: { 200: User, 409: ErrorBody },
    handler: async (request) => updateUser(deps, request.actor, request.params.userId, request.body),
  });

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    route({
      method: 'POST',
      url: `/api/users/:userId/${verb}`,
      access: 'users:write',
      action: `user.${verb}`,
      summary: disabled
        ? 'Disable a user: sessions end at once and sign-in fails'
        : 'Re-enable a disabled user',
      params: UserParams,
      response: { 200: User, 409: ErrorBody },
      handler: async (request) => setUserDisabled(deps, request.actor, request.params.userId, disabled),
    });
  }

  route({
    method: 'PUT',
    url: '/api/users/:userId/password',
    access: 'users:write',
    action: 'user.password_set',
    summary: "Set a user's password (their sessions end)",
    params: UserParams,
    body: Strict({ password: Password }),
    response: { 204: Type.Null() },
    handler: async (request) => {
      await setUserPassword(deps, request.actor, request.params.userId, request.body.password);
    },
  });

  route({
    method: 'POST',
    url: '/api/users/:userId/password-reset',
    access: 'users:write',
    action: 'user.password_token.reset',
    summary: 'Issue a one-time reset token (24 h) for the user to choose a new password; their sessions end',
    params: UserParams,
    response: { 201: PasswordToken, 409: ErrorBody },
    handler: async (request) => issuePasswordReset(deps, request.actor, request.params.userId),
  });

  route({
    method: 'POST',
    url: '/api/password-tokens/redeem',
    access: 'public',
    action: 'user.password_set',
    summary: 'Set your password with an invitation or reset token (then sign in)',
    security: [],
    body: Strict({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password }),
    response: { 204: Type.Null(), 400: ErrorBody },
    standardErrors: false,
    handler: async (request) => {
      await redeemPasswordToken(deps, request.actor, request.body);
    },
  });

  route({
    method: 'GET',
    url: '/api/users/:userId/memberships',
    access: 'users:read',
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
    },
    handler: async (request) => ({
      items: await listUserMemberships(
        deps,
        crossTenantAccess(request, 'users.memberships'),
        request.params.userId,
      ),
    }),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/members',
    access: 'users:read',
    summary: "A tenant's members and their roles",
    params: TenantParams,
    querystring: PageQuery,
    response: { 200: Page(Strict({ ...userFields, role: Type.Literal('client_viewer') })) },
    handler: async (request) => listTenantMembers(deps, request.params.tenantId, request.query),
  });

  route({
    method: 'PUT',
    url: '/api/tenants/:tenantId/members/:userId',
    access: 'users:write',
    action: 'membership.upsert',
    summary: 'Give a user a role in a tenant',
    params: MemberParams,
    body: Strict({ role: Type.Literal('client_viewer') }),
    response: { 204: Type.Null() },
    handler: async (request) => {
      await addTenantMember(deps, request.actor, { ...request.params, role: request.body.role });
    },
  });

  route({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/members/:userId',
    access: 'users:write',
    action: 'membership.remove',
    summary: "Remove a user's access to a tenant",
    params: MemberParams,
    response: { 204: Type.Null() },
    handler: async (request) => {
      await removeMembership(deps, request.actor, request.params.tenantId, request.params.userId);
    },
  });
});
