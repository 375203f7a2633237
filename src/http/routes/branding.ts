import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  deleteLogo,
  getBranding,
  LOGO_CONTENT_TYPES,
  type LogoFile,
  MAX_LOGO_BYTES,
  readLogo,
  setLogo,
  TenantBranding,
  UpdateBrandingInput,
  updateBranding,
} from '../../control/branding/index.js';
import { declareRoutes, routePlugin } from '../route.js';
import { ErrorBody, Strict, TenantParams } from '../schemas.js';

const LOGO_DOC = `The image itself as the body (any content type; the bytes decide): ${LOGO_CONTENT_TYPES.join(
  ', ',
)}, at most ${MAX_LOGO_BYTES / 1024} KB. SVG and other types answer 415 LOGO_TYPE_UNSUPPORTED, larger images 413 LOGO_TOO_LARGE.`;

export const brandingRoutes = routePlugin(['branding'], async (route, { deps, blobs }, _options, app) => {
  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/branding',
    access: 'tenants:read',
    summary: "The tenant's portal brand: display name, accent colour and logo",
    params: TenantParams,
    response: { 200: TenantBranding },
    handler: async (request) => getBranding(deps, request.params.tenantId),
  });

  route({
    method: 'PUT',
    url: '/api/tenants/:tenantId/branding',
    access: 'branding:write',
    action: 'branding.update',
    summary: 'Set the display name and accent colour (a field left out or null goes back to the default)',
    params: TenantParams,
    body: UpdateBrandingInput,
    response: { 200: TenantBranding },
    handler: async (request) => updateBranding(deps, request.actor, request.params.tenantId, request.body),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/branding/logo',
    access: 'tenants:read',
    summary: "The tenant's logo image",
    description:
      'Cacheable privately; `v` (from the branding’s logo.url) changes with the image. Honours If-None-Match.',
    params: TenantParams,
    querystring: Strict({ v: Type.Optional(Type.String({ pattern: '^[0-9a-f]{1,64}$' })) }),
    handler: async (request, reply) =>
      sendLogo(request, reply, await readLogo(deps, blobs, request.params.tenantId)),
  });

  route({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/branding/logo',
    access: 'branding:write',
    action: 'branding.logo_delete',
    summary: "Remove the tenant's logo",
    params: TenantParams,
    response: { 200: TenantBranding },
    handler: async (request) => deleteLogo(deps, blobs, request.actor, request.params.tenantId),
  });

  // The upload takes raw image bytes of any declared type: its own scope, so other routes keep JSON only.
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>();
    upload.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES * 2 },
      (_req, body, done) => done(null, body),
    );
    declareRoutes(upload, ['branding'])({
      method: 'PUT',
      url: '/api/tenants/:tenantId/branding/logo',
      access: 'branding:write',
      action: 'branding.logo_set',
      summary: "Upload the tenant's logo",
      description: LOGO_DOC,
      params: TenantParams,
      response: { 200: TenantBranding, 413: ErrorBody, 415: ErrorBody },
      handler: async (request) => setLogo(deps, blobs, request.actor, request.params.tenantId, request.body),
    });
  });
});

/** The image with its validator; a matching If-None-Match answers 304 without the bytes. */
function sendLogo(request: FastifyRequest, reply: FastifyReply, logo: LogoFile) {
  reply
    .header('etag', logo.etag)
    .header('cache-control', 'private, max-age=86400')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', 'inline; filename="logo"');
  if (request.headers['if-none-match'] === logo.etag) return reply.status(304).send();
  return reply.type(logo.contentType).send(logo.bytes);
}
