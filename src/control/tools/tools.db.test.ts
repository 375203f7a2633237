import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, listPages } from '../../../test/support/app.js';
import { openTestApp } from '../../../test/support/app-test.js';
import type { TestBackend } from '../../../test/support/backend.js';
import type { World } from '../../../test/support/fixtures.js';
import { tables } from '../../db/index.js';
import {
  CONTROL_TEST_ENV,
  createBoundTool,
  expectStatus,
  WEATHER_INPUT_SCHEMA,
} from '../control-fixtures.test-support.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let connectionA: string;
let tools: string;

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp(CONTROL_TEST_ENV));
  connectionA = (await createBoundTool(app, world.as.admin, world.tenantA, { name: 'seed_tool' }))
    .connectionId;
  tools = `/api/tenants/${world.tenantA}/tools`;
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const countTools = async () => (await backend.owner.select().from(tables.tools)).length;

interface ToolBody {
  id: string;
  name: string;
  timeoutMs: number;
  retry: { maxAttempts: number; backoffMs: number };
  idempotent: boolean;
  inputSchema: unknown;
  outputSchema: unknown;
  archivedAt: string | null;
}

describe('tools', () => {
  it('creates with defaults, reads, lists with pagination, updates and archives', async () => {
    const { operator } = world.as;
    const created = await expectStatus<ToolBody>(app, operator, 'POST', tools, 201, {
      name: 'book_appointment',
      description: 'Books a slot',
      inputSchema: WEATHER_INPUT_SCHEMA,
      outputSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      connectionId: connectionA,
      workflowId: 'aBc123XyZ',
    });
    expect(created).toMatchObject({
      timeoutMs: 10_000,
      retry: { maxAttempts: 3, backoffMs: 250 },
      idempotent: false,
      inputSchema: WEATHER_INPUT_SCHEMA,
      archivedAt: null,
    });
    expect(await expectStatus(app, operator, 'GET', `${tools}/${created.id}`, 200)).toMatchObject({
      name: 'book_appointment',
    });

    const second = await expectStatus<ToolBody>(app, operator, 'POST', tools, 201, {
      name: 'cancel-appointment',
      description: 'Cancels',
      inputSchema: { type: 'object' },
    });
    const [page1, page2, ...more] = await listPages<ToolBody>(app, operator, `${tools}?limit=2`);
    expect(page1!.map((t) => t.id)).toEqual([second.id, created.id]);
    expect(page2!.map((t) => t.name)).toEqual(['seed_tool']);
    expect(more).toEqual([]);

    const updated = await expectStatus<ToolBody>(app, operator, 'PATCH', `${tools}/${created.id}`, 200, {
      timeoutMs: 30_000,
      retry: { maxAttempts: 1, backoffMs: 0 },
      idempotent: true,
      outputSchema: null,
    });
    expect(updated).toMatchObject({
      timeoutMs: 30_000,
      retry: { maxAttempts: 1, backoffMs: 0 },
      idempotent: true,
      outputSchema: null,
    });

    const archived = await expectStatus<ToolBody>(app, operator, 'DELETE', `${tools}/${second.id}`, 200);
    expect(archived.archivedAt).not.toBeNull();
    const listed = await expectStatus<{ items: ToolBody[] }>(app, operator, 'GET', tools, 200);
    expect(listed.items.map((t) => t.id)).not.toContain(second.id);
    const withArchived = await expectStatus<{ items: ToolBody[] }>(
      app,
      operator,
      'GET',
      `${tools}?includeArchived=true`,
      200,
    );
    expect(withArchived.items.map((t) => t.id)).toContain(second.id);
    // The archived tool's name is free again.
    await expectStatus(app, operator, 'POST', tools, 201, {
      name: 'cancel-appointment',
      description: 'v2',
      inputSchema: { type: 'object' },
    });

    const audit = (await backend.owner.select().from(tables.auditLog)).filter(
      (r) => r.targetId === created.id,
    );
    const update = audit.find((r) => r.action === 'tool.update');
    expect(update?.summary).toMatchObject({
      before: { timeoutMs: 10_000, idempotent: false },
      after: { timeoutMs: 30_000, idempotent: true },
    });
    expect(audit.map((r) => r.action)).toContain('tool.create');
  });

  it('checks the input schema as JSON Schema 2020-12 and names the bad field, writing nothing', async () => {
    const before = await countTools();
    const bad = async (body: Record<string, unknown>) => {
      const res = await call(app, world.as.operator, 'POST', tools, {
        name: 'x_tool',
        description: 'd',
        inputSchema: { type: 'object' },
        ...body,
      });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().error as { code: string; details: { field: string; message: string }[] };
    };
    const wrongType = await bad({ inputSchema: { type: 'objekt' } });
    expect(wrongType.code).toBe('TOOL_SCHEMA_INVALID');
    expect(wrongType.details[0]!.field).toBe('inputSchema.type');
    expect((await bad({ inputSchema: { type: 'object', propertes: {} } })).details[0]!.message).toMatch(
      /unknown keyword/,
    );
    expect((await bad({ inputSchema: { type: 'string' } })).details).toEqual([
      { field: 'inputSchema.type', message: expect.stringMatching(/must be "object"/) },
    ]);
    expect((await bad({ inputSchema: { $ref: '#/$defs/missing' } })).details[0]!.field).toBe('inputSchema');
    expect(
      (await bad({ inputSchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' } }))
        .details[0]!.field,
    ).toBe('inputSchema.$schema');
    expect(
      (await bad({ outputSchema: { type: 'object', properties: { a: { minLength: -1 } } } })).details[0]!
        .field,
    ).toBe('outputSchema.properties.a.minLength');
    expect((await bad({ webhookPath: 'orphan' })).details).toEqual([
      { field: 'connectionId', message: expect.stringMatching(/required/) },
    ]);
    expect((await bad({ connectionId: connectionA })).details[0]!.field).toBe('webhookPath');

    const http = await bad({ name: '1 bad name', timeoutMs: 100, retry: { maxAttempts: 9, backoffMs: 0 } });
    expect(http.code).toBe('VALIDATION_FAILED');
    expect(http.details.map((d) => d.field)).toEqual(
      expect.arrayContaining(['body/name', 'body/timeoutMs', 'body/retry/maxAttempts']),
    );
    expect(await countTools()).toBe(before);
  });

  it('refuses a duplicate name and a connection of another tenant', async () => {
    const dup = await call(app, world.as.operator, 'POST', tools, {
      name: 'seed_tool',
      description: 'd',
      inputSchema: { type: 'object' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('TOOL_NAME_TAKEN');
    const { connectionId: connectionB } = await createBoundTool(app, world.as.admin, world.tenantB, {
      name: 'b_tool',
    });
    const foreign = await call(app, world.as.operator, 'POST', tools, {
      name: 'stealer',
      description: 'd',
      inputSchema: { type: 'object' },
      connectionId: connectionB,
      webhookPath: 'x',
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details).toEqual([
      { field: 'connectionId', message: 'is not an n8n connection of this tenant' },
    ]);
  });

  it('denies client viewers and other tenants', async () => {
    const [tool] = await backend.owner.select().from(tables.tools);
    const url = `/api/tenants/${tool!.tenantId}/tools`;
    const viewer = tool!.tenantId === world.tenantA ? world.as.viewerA : world.as.viewerB;
    const other = tool!.tenantId === world.tenantA ? world.as.viewerB : world.as.viewerA;
    expect((await call(app, viewer, 'GET', url)).statusCode).toBe(403);
    expect(
      (await call(app, viewer, 'POST', url, { name: 'v', description: 'd', inputSchema: { type: 'object' } }))
        .statusCode,
    ).toBe(403);
    expect((await call(app, viewer, 'DELETE', `${url}/${tool!.id}`)).statusCode).toBe(403);
    const otherTenant = await call(app, other, 'GET', `${url}/${tool!.id}`);
    expect(otherTenant.statusCode).toBe(403);
    const otherId = tool!.tenantId === world.tenantA ? world.tenantB : world.tenantA;
    expect(
      (await call(app, world.as.admin, 'GET', `/api/tenants/${otherId}/tools/${tool!.id}`)).statusCode,
    ).toBe(404);
  });
});
