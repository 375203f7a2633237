import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { checkRecordingLink, playRecording, type RecordingPlayback } from '../../analytics/index.js';
import { AppError } from '../../lib/errors.js';
import { routePlugin } from '../route.js';
import { Id, Strict } from '../schemas.js';

const Params = Strict({ tenantId: Id('tenant'), callId: Id('call') });
const Download = Type.Optional(
  Type.Union([Type.Literal('1'), Type.Literal('0')], {
    description: '1: save as a file (Content-Disposition)',
  }),
);
const RANGE_DOC =
  'Streams the WAV; honours `Range: bytes=…` (206 with Content-Range; suffix ranges; 416 when unsatisfiable).';

function send(reply: FastifyReply, playback: RecordingPlayback) {
  return reply.status(playback.status).headers(playback.headers).send(playback.body);
}

export const recordingRoutes = routePlugin(['calls'], (route, ctx) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls/:callId/recording',
    access: 'recordings:read',
    summary: "A call's recording",
    description: RANGE_DOC,
    params: Params,
    querystring: Strict({ download: Download }),
    handler: async (request, reply) =>
      send(
        reply,
        await playRecording(ctx.deps, ctx.blobs, {
          ...request.params,
          range: request.headers.range,
          download: request.query.download === '1',
        }),
      ),
  });

  // An <audio> element cannot send an API key: the call detail hands out this path, signed for the
  // viewer and a few minutes. The signature is the credential.
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls/:callId/recording/signed',
    access: 'public',
    summary: "A call's recording through a signed link (recordingUrl of the call detail)",
    description: RANGE_DOC,
    params: Params,
    querystring: Strict({
      viewer: Type.String({ minLength: 1, maxLength: 64 }),
      expires: Type.Integer({
        minimum: 0,
        maximum: 8_640_000_000_000_000,
        description: 'ms since the epoch',
      }),
      signature: Type.String({ minLength: 1, maxLength: 128 }),
      download: Download,
    }),
    handler: async (request, reply) => {
      const { tenantId, callId } = request.params;
      const { viewer, expires, signature } = request.query;
      const check = checkRecordingLink(
        ctx.deps.secrets,
        { tenantId, callId, viewer, expires },
        signature,
        ctx.deps.now(),
      );
      if (!check.ok) {
        throw new AppError(
          'SIGNED_URL_INVALID',
          check.error === 'expired'
            ? 'this recording link has expired; open the call again'
            : 'this recording link is not valid',
        );
      }
      return send(
        reply,
        await playRecording(ctx.deps, ctx.blobs, {
          tenantId,
          callId,
          range: request.headers.range,
          download: request.query.download === '1',
        }),
      );
    },
  });
});
