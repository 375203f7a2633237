import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { type Credentials, call } from '../../test/support/app.js';

/** Test settings: outbound calls may reach loopback (the sandbox emulators listen there). */
export const CONTROL_TEST_ENV = { OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost' };

export const WEATHER_INPUT_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string', minLength: 1 }, date: { type: 'string', format: 'date' } },
  required: ['city'],
  additionalProperties: false,
};

/** Calls an API route and insists on the status, returning the JSON body. */
export async function expectStatus<T = Record<string, unknown>>(
  app: FastifyInstance,
  creds: Credentials,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  status: number,
  payload?: unknown,
): Promise<T> {
  const res = await call(app, creds, method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return (res.body ? res.json() : undefined) as T;
}

/** An n8n connection (to `baseUrl`) with a bound tool in the tenant, created through the API. */
export async function createBoundTool(
  app: FastifyInstance,
  admin: Credentials,
  tenantId: string,
  options: { name?: string; baseUrl?: string } = {},
): Promise<{ connectionId: string; toolId: string }> {
  const connection = await expectStatus<{ id: string }>(
    app,
    admin,
    'POST',
    `/api/tenants/${tenantId}/n8n-connections`,
    201,
    {
      name: `n8n ${options.name ?? 'main'}`,
      baseUrl: options.baseUrl ?? 'http://127.0.0.1:5678',
      apiKey: 'test-api-key-1234',
    },
  );
  const tool = await expectStatus<{ id: string }>(app, admin, 'POST', `/api/tenants/${tenantId}/tools`, 201, {
    name: options.name ?? 'get_weather',
    description: 'Looks up the weather for a city',
    inputSchema: WEATHER_INPUT_SCHEMA,
    connectionId: connection.id,
    webhookPath: 'weather',
  });
  return { connectionId: connection.id, toolId: tool.id };
}
