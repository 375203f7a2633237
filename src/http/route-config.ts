import type { Principal, RouteAccess } from '../auth/index.js';
import type { Actor } from '../lib/actor.js';
import type { SecurityEvents } from './security-events.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission the route needs; every route declares one (enforced at registration). */
    access?: RouteAccess;
    /** Audit action name; required on state-changing routes. */
    action?: string;
  }
  interface FastifyInstance {
    /** Every route registered, with its declared access: read by the RBAC matrix test and docs. */
    routeTable: RouteEntry[];
    /** Counters and rate-limited log of refusals nobody authenticated for. */
    securityEvents: SecurityEvents;
  }
  interface FastifyRequest {
    principal: Principal | null;
    actor: Actor;
    errorCode: string | undefined;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  action: string | undefined;
}

export const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes that plugins register for themselves (the OpenAPI UI): public documentation. */
export const DOCS_PREFIX = '/api/docs';
