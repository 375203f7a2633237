import formbody from '@fastify/formbody';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  CONNECT_ACTION_PATH,
  MEDIA_PATH,
  STATUS_PATH,
  VOICE_PATH,
  type VoiceService,
} from '../../telephony/index.js';
import type { AppContext } from '../context.js';

type FormBody = Record<string, string>;

/**
 * Twilio's webhooks and the Media Streams socket. The routes are public and authenticate by
 * Twilio's signature over the public URL instead; a request without a valid one gets 403 and
 * leaves nothing behind.
 */
export const twilioRoutes: FastifyPluginAsync<{ ctx: AppContext; voice: VoiceService }> = async (
  app,
  { voice },
) => {
  // Twilio posts form fields, each once.
  await app.register(formbody, { parser: (body) => Object.fromEntries(new URLSearchParams(body)) });
  await app.register(websocket);

  const signed = (request: FastifyRequest, reply: FastifyReply): FormBody | undefined => {
    const params = (request.body ?? {}) as FormBody;
    const signature = request.headers['x-twilio-signature'];
    if (voice.validSignature(request.url, typeof signature === 'string' ? signature : undefined, params)) {
      // The call row and its events are the record of this request, not an audit entry per call.
      request.actor.audited = true;
      return params;
    }
    request.server.securityEvents.refused('twilio.webhook', 'SIGNATURE_INVALID', {
      ip: request.ip,
      status: 403,
    });
    // Answered around Fastify's hooks: a forged request must not even produce an audit row.
    reply.hijack();
    reply.raw.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    reply.raw.end('Twilio Request Validation Failed.');
    return undefined;
  };

  const webhook = { config: { access: 'public' as const, action: 'twilio.webhook' }, schema: { hide: true } };

  app.post(VOICE_PATH, webhook, async (request, reply) => {
    const params = signed(request, reply);
    if (!params) return reply;
    const twiml = await voice.voiceWebhook(params);
    return reply.type('text/xml').send(twiml);
  });

  app.post(CONNECT_ACTION_PATH, webhook, async (request, reply) => {
    const params = signed(request, reply);
    if (!params) return reply;
    return reply.type('text/xml').send(await voice.connectAction(params));
  });

  app.post(STATUS_PATH, webhook, async (request, reply) => {
    const params = signed(request, reply);
    if (!params) return reply;
    await voice.statusCallback(params);
    return reply.status(204).send();
  });

  app.get(
    MEDIA_PATH,
    {
      websocket: true,
      config: { access: 'public' as const, action: 'twilio.media' },
      schema: { hide: true },
      // Refused before the upgrade: a socket without Twilio's signature never opens.
      preValidation: async (request, reply) => {
        if (voice.validStreamUpgrade(request.raw)) {
          request.actor.audited = true;
          return;
        }
        request.log.warn({ path: MEDIA_PATH }, 'twilio stream signature rejected');
        reply.hijack();
        reply.raw.writeHead(403, { connection: 'close', 'content-length': '0' });
        reply.raw.end();
      },
    },
    (socket) => {
      void voice
        .acceptMediaSocket(socket)
        .catch((err: unknown) => app.log.error({ err }, 'media stream failed'));
    },
  );
};
