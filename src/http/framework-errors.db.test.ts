import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../test/support/app.js';
import { openTestApp } from '../../test/support/app-test.js';
import type { TestBackend } from '../../test/support/backend.js';
import type { World } from '../../test/support/fixtures.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let port: number;

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp());
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
}, 180_000);
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

/** Sends raw bytes and reads the whole answer (the server closes the socket after a client error). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d) => {
      answer += String(d);
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('refusals from before routing keep the error shape', () => {
  it('a path segment over the limit is 414 without echoing the path', async () => {
    const long = 'x'.repeat(500);
    const res = await call(app, world.as.admin, 'GET', `/api/tenants/${world.tenantA}/agents/${long}`);
    expect(res.statusCode).toBe(414);
    expect(res.json().error).toMatchObject({ code: 'URI_TOO_LONG' });
    expect(res.body).not.toContain(long);
  });

  it('a malformed header gets a JSON 400, not Node’s plain text', async () => {
    const answer = await raw('GET /api/health HTTP/1.1\r\nHost: x\r\nBad Header: \u0001\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(body.error.requestId).toMatch(/^req_/);
  });

  it('oversized headers get a JSON 431', async () => {
    const answer = await raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('HEADERS_TOO_LARGE');
  });
});
