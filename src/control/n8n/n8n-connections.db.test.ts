import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type N8nEmulator, startN8nEmulator } from '@switchboard/sandbox';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call } from '../../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../../test/support/backend.js';
import { createWorld, type World } from '../../../test/support/fixtures.js';
import { tables } from '../../db/index.js';
import { newId } from '../../lib/ids.js';
import { createOutboundGuard } from '../../lib/ssrf.js';
import { CONTROL_TEST_ENV, expectStatus } from '../control-fixtures.test-support.js';
import { testN8nSettings } from './test-connection.js';

let backend: TestBackend;
let app: FastifyInstance;
let strictApp: FastifyInstance;
let world: World;
let n8n: N8nEmulator;
let impostor: Server;
let impostorUrl: string;
let closedPortUrl: string;
let base: string;

/** Servers that are not n8n: an HTML site, some other JSON API, a 404, a failing proxy, a black hole. */
function startImpostor(): Promise<Server> {
  const server = createServer((req, res) => {
    const [, kind] = (req.url ?? '').split('/');
    if (kind === 'html')
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Hi</title>');
    else if (kind === 'json')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
    else if (kind === 'proxy') res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
    else if (kind === 'redirect') res.writeHead(301, { location: 'https://elsewhere.example/' }).end();
    else if (kind === 'slow')
      return; // never answers
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  backend = await openTestBackend();
  app = await buildTestApp(backend, CONTROL_TEST_ENV);
  strictApp = await buildTestApp(backend, {});
  world = await createWorld(backend, app);
  n8n = await startN8nEmulator();
  impostor = await startImpostor();
  impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  closedPortUrl = `http://127.0.0.1:${await freePort()}`;
  base = `/api/tenants/${world.tenantA}/n8n-connections`;
});
afterAll(async () => {
  await app?.close();
  await strictApp?.close();
  await n8n?.close();
  impostor?.closeAllConnections();
  await new Promise<void>((resolve) => (impostor ? impostor.close(() => resolve()) : resolve()));
  await backend?.close();
});

interface ConnectionBody {
  id: string;
  baseUrl: string;
  apiKey: { set: boolean; last4: string | null };
  webhookAuth: Record<string, unknown>;
}

describe('n8n connections: secrets', () => {
  it('stores secrets sealed, in the shape the gateway reads, and never returns or audits them', async () => {
    const created = await expectStatus<ConnectionBody>(app, world.as.admin, 'POST', base, 201, {
      name: 'Acme n8n',
      baseUrl: `${n8n.url}/api/v1/`,
      apiKey: 'n8n-sandbox-api-key',
      webhookAuth: { kind: 'header', name: 'X-Agent-Token', value: 'header-secret-9876' },
    });
    expect(created.baseUrl).toBe(n8n.url);
    expect(created.apiKey).toEqual({ set: true, last4: '-key' });
    expect(created.webhookAuth).toEqual({
      kind: 'header',
      name: 'X-Agent-Token',
      value: { set: true, last4: '9876' },
    });

    const [row] = (await backend.owner.select().from(tables.n8nConnections)).filter(
      (r) => r.id === created.id,
    );
    expect(backend.deps.secrets.open(row!.apiKeyEncrypted!)).toBe('n8n-sandbox-api-key');
    expect(row!.webhookAuth).toEqual({
      kind: 'header',
      name: 'X-Agent-Token',
      valueEncrypted: expect.stringMatching(/^v1\./),
      last4: '9876',
    });
    if (row!.webhookAuth.kind !== 'header') throw new Error('expected header auth');
    expect(backend.deps.secrets.open(row!.webhookAuth.valueEncrypted)).toBe('header-secret-9876');

    const patch = (body: object) =>
      expectStatus<ConnectionBody>(app, world.as.admin, 'PATCH', `${base}/${created.id}`, 200, body);
    // Rotate: a new key and basic auth replace the old secrets; a name-only change keeps the password.
    const rotated = await patch({
      apiKey: 'rotated-key-0000',
      webhookAuth: { kind: 'basic', username: 'agent', password: 'basic-pass-4321' },
    });
    expect(rotated.apiKey.last4).toBe('0000');
    expect(rotated.webhookAuth).toEqual({
      kind: 'basic',
      username: 'agent',
      password: { set: true, last4: '4321' },
    });
    const renamed = await patch({ webhookAuth: { kind: 'basic', username: 'agent2' } });
    expect(renamed.webhookAuth).toEqual({
      kind: 'basic',
      username: 'agent2',
      password: { set: true, last4: '4321' },
    });
    const switchKind = await call(app, world.as.admin, 'PATCH', `${base}/${created.id}`, {
      webhookAuth: { kind: 'header', name: 'X-Other' },
    });
    expect(switchKind.statusCode).toBe(400);
    expect(switchKind.json().error.details).toEqual([{ field: 'webhookAuth.value', message: 'is required' }]);

    const everything = JSON.stringify([
      await backend.owner.select().from(tables.auditLog),
      (await call(app, world.as.admin, 'GET', base)).json(),
      (await call(app, world.as.admin, 'GET', `${base}/${created.id}`)).json(),
    ]);
    for (const secret of [
      'n8n-sandbox-api-key',
      'header-secret-9876',
      'rotated-key-0000',
      'basic-pass-4321',
    ]) {
      expect(everything).not.toContain(secret);
    }
    const rotateAudit = (await backend.owner.select().from(tables.auditLog)).find(
      (r) => r.action === 'n8n_connection.rotate',
    );
    expect(rotateAudit?.summary).toMatchObject({
      before: { apiKey: { set: true, last4: '-key' } },
      after: { apiKey: { set: true, last4: '0000' } },
    });
    // Put the working key back for the tests below.
    await patch({ apiKey: 'n8n-sandbox-api-key' });
  });

  it('lists with pagination, validates input with field names, and deletes only unused connections', async () => {
    const t = `/api/tenants/${world.tenantB}/n8n-connections`;
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      ids.push(
        (await expectStatus<ConnectionBody>(app, world.as.admin, 'POST', t, 201, { name, baseUrl: n8n.url }))
          .id,
      );
    }
    const page1 = await expectStatus<{ items: ConnectionBody[]; nextCursor: string }>(
      app,
      world.as.operator,
      'GET',
      `${t}?limit=2`,
      200,
    );
    expect(page1.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const page2 = await expectStatus<{ items: ConnectionBody[]; nextCursor: null }>(
      app,
      world.as.operator,
      'GET',
      `${t}?limit=2&cursor=${page1.nextCursor}`,
      200,
    );
    expect(page2.items.map((c) => c.id)).toEqual([ids[0]]);

    const before = (await backend.owner.select().from(tables.n8nConnections)).length;
    const invalid = await call(app, world.as.admin, 'POST', t, {
      name: '',
      baseUrl: 'ftp://x',
      webhookAuth: { kind: 'header', name: 'Bad Header' },
    });
    expect(invalid.statusCode).toBe(400);
    expect((invalid.json().error.details as { field: string }[]).map((d) => d.field)).toEqual(
      expect.arrayContaining(['body/name']),
    );
    for (const [baseUrl, message] of [
      ['ftp://x', /http or https/],
      ['https://user:pw@x.example', /credentials/],
      ['not a url', /not a URL/],
    ] as const) {
      const res = await call(app, world.as.admin, 'POST', t, { name: 'bad', baseUrl });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toEqual({
        field: 'baseUrl',
        message: expect.stringMatching(message),
      });
    }
    const noSecret = await call(app, world.as.admin, 'POST', t, {
      name: 'bad',
      baseUrl: n8n.url,
      webhookAuth: { kind: 'basic', username: 'u' },
    });
    expect(noSecret.json().error.details).toEqual([
      { field: 'webhookAuth.password', message: 'is required' },
    ]);
    const dup = await call(app, world.as.admin, 'POST', t, { name: 'one', baseUrl: n8n.url });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('N8N_CONNECTION_NAME_TAKEN');
    expect((await backend.owner.select().from(tables.n8nConnections)).length).toBe(before);

    const tool = await expectStatus<{ id: string }>(
      app,
      world.as.admin,
      'POST',
      `/api/tenants/${world.tenantB}/tools`,
      201,
      {
        name: 'bound',
        description: 'd',
        inputSchema: { type: 'object' },
        connectionId: ids[0],
        webhookPath: 'p',
      },
    );
    const inUse = await call(app, world.as.admin, 'DELETE', `${t}/${ids[0]}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.code).toBe('N8N_CONNECTION_IN_USE');
    await expectStatus(app, world.as.admin, 'DELETE', `/api/tenants/${world.tenantB}/tools/${tool.id}`, 200);
    await expectStatus(app, world.as.admin, 'DELETE', `${t}/${ids[0]}`, 200);
    expect((await call(app, world.as.admin, 'GET', `${t}/${ids[0]}`)).statusCode).toBe(404);
  });

  it('lets operators read and test but only admins change credentials; viewers and other tenants get nothing', async () => {
    const [conn] = (await expectStatus<{ items: ConnectionBody[] }>(app, world.as.admin, 'GET', base, 200))
      .items;
    const url = `${base}/${conn!.id}`;
    expect((await call(app, world.as.operator, 'GET', url)).statusCode).toBe(200);
    expect((await call(app, world.as.operator, 'POST', `${url}/test`)).statusCode).toBe(200);
    expect(
      (await call(app, world.as.operator, 'PATCH', url, { apiKey: 'stolen-by-operator' })).statusCode,
    ).toBe(403);
    expect(
      (await call(app, world.as.operator, 'POST', base, { name: 'op', baseUrl: n8n.url })).statusCode,
    ).toBe(403);
    expect((await call(app, world.as.operator, 'DELETE', url)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'GET', base)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerB, 'GET', url)).statusCode).toBe(403);
    expect(
      (await call(app, world.as.admin, 'GET', `/api/tenants/${world.tenantB}/n8n-connections/${conn!.id}`))
        .statusCode,
    ).toBe(404);
  });
});

describe('n8n connections: test and workflows', () => {
  const testSettings = async (baseUrl: string, apiKey = n8n.apiKey, target = app) => {
    const res = await call(target, world.as.admin, 'POST', `${base}/test`, { baseUrl, apiKey });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { status: string; message: string; httpStatus: number | null };
  };

  it('reports ok against the n8n emulator, through a saved connection too', async () => {
    expect(await testSettings(n8n.url)).toMatchObject({ status: 'ok', httpStatus: 200 });
    const [conn] = (await expectStatus<{ items: ConnectionBody[] }>(app, world.as.admin, 'GET', base, 200))
      .items;
    expect(await expectStatus(app, world.as.admin, 'POST', `${base}/${conn!.id}/test`, 200)).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/connected/),
    });
  });

  it('gives each failure mode its own status and message', async () => {
    const badKey = await testSettings(n8n.url, 'wrong-key');
    expect(badKey).toMatchObject({
      status: 'bad_key',
      httpStatus: 401,
      message: expect.stringMatching(/rejected the API key/),
    });
    const refused = await testSettings(closedPortUrl);
    expect(refused).toMatchObject({
      status: 'unreachable',
      httpStatus: null,
      message: expect.stringMatching(/refused/),
    });
    const html = await testSettings(`${impostorUrl}/html`);
    expect(html).toMatchObject({ status: 'not_n8n', message: expect.stringMatching(/HTML page/) });
    const json = await testSettings(`${impostorUrl}/json`);
    expect(json).toMatchObject({
      status: 'not_n8n',
      message: expect.stringMatching(/not with an n8n workflow list/),
    });
    const missing = await testSettings(`${impostorUrl}/nothing`);
    expect(missing).toMatchObject({
      status: 'not_n8n',
      httpStatus: 404,
      message: expect.stringMatching(/HTTP 404/),
    });
    const redirect = await testSettings(`${impostorUrl}/redirect`);
    expect(redirect).toMatchObject({
      status: 'not_n8n',
      httpStatus: 301,
      message: expect.stringMatching(/redirects/),
    });
    const proxy = await testSettings(`${impostorUrl}/proxy`);
    expect(proxy).toMatchObject({
      status: 'unreachable',
      httpStatus: 502,
      message: expect.stringMatching(/HTTP 502/),
    });
    const messages = [badKey, refused, html, json, missing, redirect, proxy].map((r) => r.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('reports a timeout as unreachable, naming the wait', async () => {
    const outbound = createOutboundGuard({ allowedHosts: ['127.0.0.1'] });
    const result = await testN8nSettings(
      outbound,
      { baseUrl: `${impostorUrl}/slow`, apiKey: 'k' },
      { timeoutMs: 300 },
    );
    expect(result).toMatchObject({
      status: 'unreachable',
      message: `no answer from ${new URL(impostorUrl).host} within 0.3 s.`,
    });
    await outbound.close();
  });

  it('refuses private and metadata addresses unless allow-listed, at save time and at connect time', async () => {
    const saved = await call(strictApp, world.as.admin, 'POST', base, { name: 'loop', baseUrl: n8n.url });
    expect(saved.statusCode).toBe(400);
    expect(saved.json().error).toMatchObject({
      code: 'OUTBOUND_URL_BLOCKED',
      details: [{ field: 'baseUrl' }],
    });
    const metadata = await call(app, world.as.admin, 'POST', base, {
      name: 'meta',
      baseUrl: 'http://169.254.169.254',
    });
    expect(metadata.json().error.code).toBe('OUTBOUND_URL_BLOCKED');
    expect(await testSettings(n8n.url, n8n.apiKey, strictApp)).toMatchObject({
      status: 'blocked',
      message: expect.stringMatching(/loopback.*OUTBOUND_ALLOWED_HOSTS/),
    });

    // A row that slipped past the save-time check (say, DNS changed since) is still refused on connect.
    const id = newId('n8nConnection');
    await backend.owner.insert(tables.n8nConnections).values({
      id,
      tenantId: world.tenantA,
      name: 'rebound',
      baseUrl: n8n.url,
      apiKeyEncrypted: backend.deps.secrets.seal(n8n.apiKey),
      apiKeyLast4: 'xxxx',
    });
    expect(await expectStatus(strictApp, world.as.admin, 'POST', `${base}/${id}/test`, 200)).toMatchObject({
      status: 'blocked',
    });
    const listed = await call(strictApp, world.as.admin, 'GET', `${base}/${id}/workflows`);
    expect(listed.statusCode).toBe(400);
    expect(listed.json().error.code).toBe('OUTBOUND_URL_BLOCKED');
    await backend.owner.delete(tables.n8nConnections).where(eq(tables.n8nConnections.id, id));
  });

  it('lists workflows with their webhooks, passing n8n cursors through', async () => {
    for (const path of ['lookup-order', 'book-slot', 'cancel-slot']) {
      n8n.installWorkflow({ name: `wf ${path}`, path, tags: ['voice'] });
    }
    const [conn] = (await expectStatus<{ items: ConnectionBody[] }>(app, world.as.admin, 'GET', base, 200))
      .items;
    const url = `${base}/${conn!.id}/workflows`;
    type WorkflowPage = {
      items: {
        name: string;
        webhooks: { method: string; path: string; productionUrl: string }[];
        tags: string[];
      }[];
      nextCursor: string | null;
    };
    const page1 = await expectStatus<WorkflowPage>(app, world.as.operator, 'GET', `${url}?limit=2`, 200);
    expect(page1.items).toHaveLength(2);
    expect(page1.items[0]).toMatchObject({
      name: 'wf lookup-order',
      tags: ['voice'],
      webhooks: [{ method: 'POST', path: 'lookup-order', productionUrl: `${n8n.url}/webhook/lookup-order` }],
    });
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await expectStatus<WorkflowPage>(
      app,
      world.as.operator,
      'GET',
      `${url}?limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`,
      200,
    );
    expect(page2.items.map((w) => w.name)).toEqual(['wf cancel-slot']);
    expect(page2.nextCursor).toBeNull();

    const badCursor = await call(app, world.as.operator, 'GET', `${url}?cursor=garbage`);
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.details[0]).toMatchObject({ field: 'cursor' });

    await expectStatus(app, world.as.admin, 'PATCH', `${base}/${conn!.id}`, 200, { apiKey: 'revoked-key' });
    const rejected = await call(app, world.as.operator, 'GET', url);
    expect(rejected.statusCode).toBe(502);
    expect(rejected.json().error.code).toBe('N8N_KEY_REJECTED');
    await expectStatus(app, world.as.admin, 'PATCH', `${base}/${conn!.id}`, 200, { apiKey: null });
    expect((await call(app, world.as.operator, 'GET', url)).json().error.code).toBe('N8N_API_KEY_MISSING');
    expect(await expectStatus(app, world.as.operator, 'POST', `${base}/${conn!.id}/test`, 200)).toMatchObject(
      {
        status: 'bad_key',
        message: expect.stringMatching(/no API key/),
      },
    );
  });
});
