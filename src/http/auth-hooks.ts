import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/index.js';
import {
  authorize,
  describePrincipal,
  type Principal,
  resolveApiKey,
  resolveSession,
  safeEqual,
} from '../auth/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { safeError } from '../lib/logger.js';
import { DOCS_PREFIX, STATE_CHANGING_METHODS } from './route-config.js';

export const SESSION_COOKIE = 'sb_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Refuses to start a server with a route that does not say who may call it. */
export function requireRouteAccess(app: FastifyInstance): void {
  app.decorate('routeTable', []);
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      app.routeTable.push({
        method,
        url: route.url,
        access: route.config?.access,
        action: route.config?.action,
      });
    }
    if (route.url.startsWith(DOCS_PREFIX)) {
      route.config = { ...route.config, access: 'public' };
      return;
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'HEAD' || m === 'OPTIONS')) return;
    if (!route.config?.access) throw new Error(`route ${methods.join(',')} ${route.url} declares no access`);
    if (methods.some((m) => STATE_CHANGING_METHODS.has(m)) && !route.config.action) {
      throw new Error(`state-changing route ${methods.join(',')} ${route.url} declares no audit action`);
    }
  });
}

async function authenticate(deps: Deps, request: FastifyRequest, sessionTtlMs: number): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const principal = match ? await resolveApiKey(deps, match[1]!) : null;
    if (!principal) throw new AppError('UNAUTHENTICATED', 'API key is invalid, revoked or expired');
    return principal;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) throw new AppError('UNAUTHENTICATED', 'sign in or send an API key');
  const lookup = await resolveSession(deps, token, sessionTtlMs);
  if (lookup.status === 'expired') throw new AppError('SESSION_EXPIRED', 'session expired; sign in again');
  if (lookup.status === 'unknown')
    throw new AppError('UNAUTHENTICATED', 'session is not valid; sign in again');
  // Cookies ride along on cross-site requests; a state change must also prove it read our page.
  if (STATE_CHANGING_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !safeEqual(sent, lookup.principal.csrfToken)) {
      throw new AppError('CSRF_TOKEN_INVALID', `missing or wrong ${CSRF_HEADER} header`);
    }
  }
  return lookup.principal;
}

/** Authenticates and authorizes every request against the route's declared access, before its body is read. */
export function installAuth(app: FastifyInstance, deps: Deps, sessionTtlMs: number): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('errorCode', undefined);
  app.decorateRequest('actor', null as unknown as Actor);

  app.addHook('onRequest', async (request) => {
    request.actor = { kind: 'system', id: null, requestId: request.id, ip: request.ip };
    const access = request.routeOptions.config?.access;
    if (request.is404 || access === undefined || access === 'public') return;
    const principal = await authenticate(deps, request, sessionTtlMs);
    request.principal = principal;
    const who = describePrincipal(principal);
    request.actor = { kind: who.kind, id: who.id, requestId: request.id, ip: request.ip };
    if (access === 'authenticated') return;
    const tenantId = (request.params as Record<string, string | undefined>).tenantId;
    const decision = authorize(principal, access, tenantId);
    if (!decision.allowed) {
      throw new AppError(
        'FORBIDDEN',
        decision.reason === 'other_tenant'
          ? 'you have no access to this tenant'
          : `this needs the ${access} permission`,
      );
    }
  });
}

/**
 * Every state-changing request leaves an audit row: domain functions write theirs (with before/after)
 * in the transaction of the change; this hook covers failures (nothing committed) and any success
 * that no domain function recorded. Refusals nobody authenticated for (a failed login, an anonymous
 * probe) are counted instead (SecurityEvents): one row each would let anyone flood the audit log.
 */
export function installAuditTrail(app: FastifyInstance, deps: Deps): void {
  // onSend, not onResponse: the answer leaves only once its audit row is written.
  app.addHook('onSend', async (request, reply, payload) => {
    const action = request.routeOptions.config?.action;
    if (!action || !STATE_CHANGING_METHODS.has(request.method)) return payload;
    const failed = reply.statusCode >= 400;
    if (!failed && request.actor.audited) return payload;
    if (failed && !request.principal) {
      app.securityEvents.refused(action, request.errorCode ?? String(reply.statusCode), {
        ip: request.ip,
        status: reply.statusCode,
      });
      return payload;
    }
    const params = request.params as Record<string, string | undefined>;
    const tenantId = params.tenantId ?? null;
    try {
      await recordAudit(deps.db, request.actor, {
        tenantId,
        action,
        outcome: failed ? 'failure' : 'success',
        targetType: params.id ? action.split('.')[0] : undefined,
        targetId: params.id ?? null,
        summary: failed ? { status: reply.statusCode, code: request.errorCode } : undefined,
      });
    } catch (err) {
      request.log.error({ err: safeError(err), action }, 'audit write failed');
    }
    return payload;
  });
}
