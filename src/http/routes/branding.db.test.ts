import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, type Credentials, call } from '../../../test/support/app.js';
import { openTestApp } from '../../../test/support/app-test.js';
import type { TestBackend } from '../../../test/support/backend.js';
import type { World } from '../../../test/support/fixtures.js';
import { FilesystemBlobStore } from '../../storage/index.js';

/** A 1×1 PNG, and bytes that only claim to be images. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let blobDir: string;

beforeAll(async () => {
  blobDir = mkdtempSync(join(tmpdir(), 'branding-blobs-'));
  ({ backend, app, world } = await openTestApp({}, { blobs: new FilesystemBlobStore(blobDir) }));
}, 180_000);
afterAll(async () => {
  await app?.close();
  await backend?.close();
  rmSync(blobDir, { recursive: true, force: true });
});

const branding = (tenantId: string) => `/api/tenants/${tenantId}/branding`;
const logo = (tenantId: string) => `/api/tenants/${tenantId}/branding/logo`;

function upload(credentials: Credentials, tenantId: string, bytes: Buffer, contentType = 'image/png') {
  return app.inject({
    method: 'PUT',
    url: logo(tenantId),
    headers: { ...authHeaders(credentials), 'content-type': contentType },
    payload: bytes,
  });
}

const storedLogos = (tenantId: string) => {
  try {
    return readdirSync(join(blobDir, 'branding', tenantId));
  } catch {
    return [];
  }
};

describe('tenant branding', () => {
  it('defaults to the tenant name with no colour and no logo', async () => {
    const res = await call(app, world.as.viewerA, 'GET', branding(world.tenantA));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      tenantId: world.tenantA,
      tenantName: expect.stringMatching(/^A /),
      displayName: null,
      accentColor: null,
      logo: null,
      updatedAt: null,
    });
  });

  it('an admin sets the display name and accent colour; the tenant viewer reads them', async () => {
    const put = await call(app, world.as.admin, 'PUT', branding(world.tenantA), {
      displayName: '  Acme Smiles  ',
      accentColor: '#0B7A75',
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ displayName: 'Acme Smiles', accentColor: '#0b7a75' });
    const read = await call(app, world.as.viewerA, 'GET', branding(world.tenantA));
    expect(read.json()).toMatchObject({ displayName: 'Acme Smiles', accentColor: '#0b7a75' });
    // PUT replaces: a field left out goes back to the default.
    const cleared = await call(app, world.as.admin, 'PUT', branding(world.tenantA), {
      displayName: 'Acme Smiles',
    });
    expect(cleared.json()).toMatchObject({ displayName: 'Acme Smiles', accentColor: null });
  });

  it.each([
    [{ accentColor: 'red' }, 'accentColor'],
    [{ accentColor: '#12345' }, 'accentColor'],
    [{ accentColor: '#1234567' }, 'accentColor'],
    [{ displayName: '   ' }, 'displayName'],
    [{ displayName: 'x'.repeat(81) }, 'displayName'],
    [{ logo: 'x' }, 'logo'],
  ])('refuses %j with a field error and writes nothing', async (body, field) => {
    const before = (await call(app, world.as.admin, 'GET', branding(world.tenantA))).json();
    const res = await call(app, world.as.admin, 'PUT', branding(world.tenantA), body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.json().error.details)).toContain(field);
    expect((await call(app, world.as.admin, 'GET', branding(world.tenantA))).json()).toEqual(before);
  });

  it('stores a PNG logo in the blob store and serves it to the viewer with cache validators', async () => {
    const put = await upload(world.as.admin, world.tenantA, PNG, 'application/octet-stream');
    expect(put.statusCode).toBe(200);
    const { logo: meta } = put.json();
    expect(meta).toMatchObject({ contentType: 'image/png', sizeBytes: PNG.length });
    expect(meta.url).toMatch(new RegExp(`^/api/tenants/${world.tenantA}/branding/logo\\?v=[0-9a-f]{16}$`));
    expect(storedLogos(world.tenantA)).toHaveLength(1);

    const get = await call(app, world.as.viewerA, 'GET', meta.url);
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('image/png');
    expect(get.headers['cache-control']).toBe('private, max-age=86400');
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(get.rawPayload.equals(PNG)).toBe(true);
    const again = await app.inject({
      method: 'GET',
      url: meta.url,
      headers: { ...authHeaders(world.as.viewerA), 'if-none-match': String(get.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it('replacing the logo removes the old image from the store; deleting it removes the last', async () => {
    const put = await upload(world.as.admin, world.tenantA, JPEG, 'image/jpeg');
    expect(put.statusCode).toBe(200);
    expect(put.json().logo.contentType).toBe('image/jpeg');
    expect(storedLogos(world.tenantA)).toHaveLength(1);
    const del = await call(app, world.as.admin, 'DELETE', logo(world.tenantA));
    expect(del.statusCode).toBe(200);
    expect(del.json().logo).toBeNull();
    expect(storedLogos(world.tenantA)).toHaveLength(0);
    const gone = await call(app, world.as.viewerA, 'GET', logo(world.tenantA));
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('LOGO_NOT_FOUND');
    expect((await call(app, world.as.admin, 'DELETE', logo(world.tenantA))).json().error.code).toBe(
      'LOGO_NOT_FOUND',
    );
  });

  it('refuses SVG and other types by their bytes (whatever the declared type) and oversized images', async () => {
    const cases: [Buffer, string, number, string][] = [
      [SVG, 'image/svg+xml', 415, 'LOGO_TYPE_UNSUPPORTED'],
      [SVG, 'image/png', 415, 'LOGO_TYPE_UNSUPPORTED'],
      [Buffer.from('GIF89a......'), 'image/gif', 415, 'LOGO_TYPE_UNSUPPORTED'],
      [Buffer.alloc(0), 'image/png', 415, 'LOGO_TYPE_UNSUPPORTED'],
      [Buffer.concat([PNG, Buffer.alloc(300 * 1024)]), 'image/png', 413, 'LOGO_TOO_LARGE'],
      [Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]), 'image/png', 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [bytes, type, status, code] of cases) {
      const res = await upload(world.as.admin, world.tenantA, bytes, type);
      expect({ type, status: res.statusCode, code: res.json().error.code }).toEqual({ type, status, code });
    }
    expect(storedLogos(world.tenantA)).toHaveLength(0);
    expect((await call(app, world.as.admin, 'GET', branding(world.tenantA))).json().logo).toBeNull();
  });

  it('only an internal admin changes a brand; a viewer reads only its own tenant', async () => {
    const cases: [Credentials, 'GET' | 'PUT' | 'DELETE', string, number][] = [
      [world.as.operator, 'PUT', branding(world.tenantA), 403],
      [world.as.viewerA, 'PUT', branding(world.tenantA), 403],
      [world.as.viewerA, 'DELETE', logo(world.tenantA), 403],
      [world.as.viewerA, 'GET', branding(world.tenantB), 403],
      [world.as.viewerA, 'GET', logo(world.tenantB), 403],
      [world.as.operator, 'GET', branding(world.tenantB), 200],
      [null, 'GET', branding(world.tenantA), 401],
      [null, 'GET', logo(world.tenantA), 401],
    ];
    for (const [who, method, url, status] of cases) {
      const res = await call(app, who, method, url, method === 'PUT' ? { displayName: 'x' } : undefined);
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status });
    }
    for (const who of [world.as.operator, world.as.viewerA, world.as.viewerB]) {
      expect((await upload(who, world.tenantA, PNG)).statusCode).toBe(403);
    }
    expect(storedLogos(world.tenantA)).toHaveLength(0);
    const other = await call(app, world.as.admin, 'PUT', branding(world.tenantB), { displayName: 'Bright' });
    expect(other.json().displayName).toBe('Bright');
    expect((await call(app, world.as.viewerA, 'GET', branding(world.tenantA))).json().displayName).toBe(
      'Acme Smiles',
    );
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(Object.keys(doc.paths['/api/tenants/{tenantId}/branding'])).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths['/api/tenants/{tenantId}/branding/logo']).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
  });
});
