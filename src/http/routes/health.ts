import { Type } from 'typebox';
import { routePlugin } from '../route.js';
import { Strict } from '../schemas.js';

const Check = Type.Union([Type.Literal('ok'), Type.Literal('fail')]);

export const healthRoutes = routePlugin(['health'], (route, ctx) => {
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
      const check = (ping: Promise<unknown>) =>
        timeout(ping).then(
          () => 'ok' as const,
          () => 'fail' as const,
        );
      const [database, store] = await Promise.all([check(ctx.database.ping()), check(ctx.deps.store.ping())]);
      const status = database === 'ok' && store === 'ok' ? ('ok' as const) : ('fail' as const);
      return reply.status(status === 'ok' ? 200 : 503).send({ status, database, store });
    },
  });
});
