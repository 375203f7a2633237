import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import { declareRoutes } from '../route.js';
import { Strict } from '../schemas.js';

const Check = Type.Union([Type.Literal('ok'), Type.Literal('fail')]);

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const route = declareRoutes(app, ['health']);
  route({
    method: 'GET',
    url: '/healthz',
    access: 'public',
    summary: 'Liveness: the process answers',
    response: { 200: Strict({ status: Type.Literal('ok') }) },
    standardErrors: false,
    handler: async () => ({ status: 'ok' as const }),
  });

  route({
    method: 'GET',
    url: '/readyz',
    access: 'public',
    summary: 'Readiness: the database and the ephemeral store answer',
    response: {
      200: Strict({ status: Check, database: Check, store: Check }),
      503: Strict({ status: Check, database: Check, store: Check }),
    },
    standardErrors: false,
    handler: async (_request, reply) => {
      const timeout = <T>(p: Promise<T>) =>
        Promise.race([
          p,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
        ]);
      const [database, store] = await Promise.all([
        timeout(ctx.database.ping()).then(
          () => 'ok' as const,
          () => 'fail' as const,
        ),
        timeout(ctx.deps.store.ping()).then(
          () => 'ok' as const,
          () => 'fail' as const,
        ),
      ]);
      const status = database === 'ok' && store === 'ok' ? ('ok' as const) : ('fail' as const);
      return reply.status(status === 'ok' ? 200 : 503).send({ status, database, store });
    },
  });
};
