import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { recordAudit } from '../../audit/index.js';
import { login, primaryRole, ROLES, revokeSession } from '../../auth/index.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth-hooks.js';
import type { AppContext } from '../context.js';
import { ErrorBody, errorResponses, Strict, StringEnum, Timestamp } from '../schemas.js';

const Me = Strict({
  kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
  id: Type.String(),
  email: Type.Optional(Type.String()),
  role: Type.Union([StringEnum(ROLES), Type.Null()]),
  tenants: Type.Array(Strict({ tenantId: Type.String(), role: Type.String() })),
  csrfToken: Type.Optional(
    Type.String({ description: `send back in the ${CSRF_HEADER} header on state changes` }),
  ),
});

export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { config, deps } = ctx;

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public', action: 'auth.login' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        body: Strict({
          email: Type.String({ format: 'email', maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: {
          200: Strict({ userId: Type.String(), csrfToken: Type.String(), expiresAt: Timestamp }),
          401: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const session = await login(
        deps,
        request.actor,
        { ...request.body, ip: request.ip, userAgent: request.headers['user-agent'] },
        { ...config.login, sessionTtlMs: config.sessionTtlMs },
      );
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        path: '/',
        expires: session.expiresAt,
      });
      return {
        userId: session.userId,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'authenticated', action: 'auth.logout' },
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.kind === 'user') {
        await revokeSession(deps, principal.sessionId);
        await recordAudit(deps.db, request.actor, {
          tenantId: null,
          action: 'auth.logout',
          targetType: 'user',
          targetId: principal.userId,
        });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I: identity, role and tenants',
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => {
      const p = request.principal!;
      return p.kind === 'user'
        ? {
            kind: p.kind,
            id: p.userId,
            email: p.email,
            role: primaryRole(p),
            tenants: [...p.memberships],
            csrfToken: p.csrfToken,
          }
        : {
            kind: p.kind,
            id: p.keyId,
            role: p.role,
            tenants: p.tenantId ? [{ tenantId: p.tenantId, role: p.role }] : [],
          };
    },
  );
};
