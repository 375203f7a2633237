import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The built web app (`npm run web:build`): ../../web/dist from src/http and from dist/http alike. */
export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Paths that belong to the server, never to the single-page app. */
const SERVER_PREFIXES = ['/api/', '/api', '/twilio/', '/media/', '/metrics'];

/**
 * The document's policy: scripts from this origin only, never `eval` (the app's JSON Schema checks
 * interpret schemas instead of compiling them to code); recordings play from blob: URLs made from
 * the fetched audio (waveform). Everything else stays on this origin.
 */
export const DOCUMENT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

function isServerPath(url: string): boolean {
  return SERVER_PREFIXES.some((p) => url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * Serves the Ops Console and Client Portal at `/`: built assets by path (hashed names cached for a
 * year), and index.html for every other GET that is not an API path, so the app's router handles it.
 */
export async function webAppRoutes(app: FastifyInstance, options: { dist?: string } = {}): Promise<void> {
  const dist = options.dist ?? WEB_DIST;
  const built = existsSync(join(dist, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: dist, serve: false });

  const sendIndex = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', DOCUMENT_CSP)
      .header('cache-control', 'no-cache')
      .sendFile('index.html', { cacheControl: false });

  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (isServerPath(path)) return reply.callNotFound();
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: run `npm run web:build` (npm start builds it when missing).\n');
    }
    const relative = normalize(path).replace(/^([/\\])+/, '');
    const file = join(dist, relative);
    if (relative && file.startsWith(dist + sep) && existsSync(file) && statSync(file).isFile()) {
      if (relative === 'index.html') return sendIndex(reply);
      const hashed = relative.startsWith(`assets${sep}`);
      return reply.sendFile(relative, { maxAge: hashed ? '365d' : 0, immutable: hashed });
    }
    return sendIndex(reply);
  });
}
