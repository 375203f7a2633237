import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { followCall, getCall } from '../../runtime/index.js';
import type { VoiceService } from '../../telephony/index.js';
import type { AppContext } from '../context.js';

/** Following calls as they happen: a live event stream per call, and the runtime's metrics. */
export const liveCallRoutes: FastifyPluginAsync<{ ctx: AppContext; voice: VoiceService }> = async (
  app,
  { ctx, voice },
) => {
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4').send(voice.options.worker.metrics.render()),
  );

  app.get<{ Params: { tenantId: string; callId: string } }>(
    '/api/tenants/:tenantId/calls/:callId/live',
    {
      config: { access: 'calls:read' },
      schema: {
        tags: ['calls'],
        summary: 'Server-sent events for one call while it runs (status, utterances, tool calls)',
      },
    },
    async (request, reply) => {
      const { tenantId, callId } = request.params;
      const call = await getCall(ctx.deps, tenantId, callId);
      if (!call) throw new AppError('CALL_NOT_FOUND', 'call not found');
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      reply.raw.write(`event: snapshot\ndata: ${JSON.stringify({ callId, status: call.status })}\n\n`);
      const unsubscribe = await followCall(ctx.deps.store, callId, (update) => {
        reply.raw.write(`event: ${update.type}\ndata: ${JSON.stringify(update)}\n\n`);
      });
      request.raw.on('close', () => void unsubscribe());
    },
  );
};
