import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
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
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const params: FormBody = {};
    for (const [key, value] of new URLSearchParams(String(body))) params[key] = value;
    done(null, params);
  });

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

  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== MEDIA_PATH) {
      // Nobody else takes upgrades: do not leave the socket hanging.
      if (app.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (!voice.validStreamUpgrade(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      void voice.acceptMediaSocket(ws).catch((err: unknown) => app.log.error({ err }, 'media stream failed'));
    });
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('onClose', async () => {
    app.server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
};
