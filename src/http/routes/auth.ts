import { Type } from 'typebox';
import { recordAudit } from '../../audit/index.js';
import { login, primaryRole, ROLES, revokeSession } from '../../auth/index.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth-hooks.js';
import { routePlugin } from '../route.js';
import { ErrorBody, Strict, StringEnum, Timestamp } from '../schemas.js';

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

export const authRoutes = routePlugin(['auth'], (route, { config, deps }) => {
  route({
    method: 'POST',
    url: '/api/auth/login',
    access: 'public',
    action: 'auth.login',
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
    standardErrors: false,
    handler: async (request, reply) => {
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
  });

  route({
    method: 'POST',
    url: '/api/auth/logout',
    access: 'authenticated',
    action: 'auth.logout',
    summary: 'End the current session',
    response: { 204: Type.Null() },
    handler: async (request, reply) => {
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
    },
  });

  route({
    method: 'GET',
    url: '/api/auth/me',
    access: 'authenticated',
    summary: 'Who am I: identity, role and tenants',
    response: { 200: Me },
    handler: async (request) => {
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
  });
});
