import type { FastifyPluginAsync } from 'fastify';
import type { VoiceService } from '../../telephony/index.js';
import type { AppContext } from '../context.js';

/** The runtime's metrics (live call streams are in call-streams.ts). */
export const liveCallRoutes: FastifyPluginAsync<{ ctx: AppContext; voice: VoiceService }> = async (
  app,
  { voice },
) => {
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4').send(voice.options.worker.metrics.render()),
  );
};
