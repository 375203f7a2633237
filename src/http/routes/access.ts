import type { FastifyRequest } from 'fastify';
import type { CrossTenantAccess } from '../../db/index.js';

/** The actor and purpose recorded when a route reads across tenants. */
export function crossTenantAccess(request: FastifyRequest, purpose: string): CrossTenantAccess {
  return { actor: `${request.actor.kind}:${request.actor.id ?? '-'}`, purpose };
}
