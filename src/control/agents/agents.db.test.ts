import { describe, expect } from 'vitest';
import { call, listPages } from '../../../test/support/app.js';
import { appTest } from '../../../test/support/app-test.js';
import { tables } from '../../db/index.js';
import {
  CONTROL_TEST_ENV,
  createBoundTool,
  expectStatus,
  WEATHER_INPUT_SCHEMA,
} from '../control-fixtures.test-support.js';
import { resolveNumber } from '../index.js';

const test = appTest(CONTROL_TEST_ENV);

interface AgentBody {
  id: string;
  liveVersion: number | null;
  liveVersionId: string | null;
  draft: Record<string, unknown> & { llm: { model: string; temperature: number } };
}
interface VersionBody {
  id: string;
  version: number;
  live: boolean;
  config: { systemPrompt: string; tools: { id: string; timeoutMs: number; description: string }[] };
}

describe('agent lifecycle: draft → v1 → v2 → rollback → diff', () => {
  test('publishes immutable versions, rolls back, diffs, and the number resolves to the live version each time', async ({
    app,
    world,
    backend,
  }) => {
    const { admin, operator } = world.as;
    const t = `/api/tenants/${world.tenantA}`;
    const { toolId, connectionId } = await createBoundTool(app, admin, world.tenantA);

    const agent = await expectStatus<AgentBody>(app, operator, 'POST', `${t}/agents`, 201, {
      name: 'Front desk',
      draft: { greeting: 'Hi, Acme Dental.' },
    });
    expect(agent.liveVersion).toBeNull();
    expect(agent.draft.llm.model).toBe('gpt-4.1-mini');
    const a = `${t}/agents/${agent.id}`;

    const number = await expectStatus<{ id: string; e164: string }>(
      app,
      operator,
      'POST',
      `${t}/phone-numbers`,
      201,
      {
        e164: '+1 (415) 555-0100',
        agentId: agent.id,
      },
    );
    expect(number.e164).toBe('+14155550100');
    expect(await resolveNumber(backend.deps, '+14155550100')).toMatchObject({
      ok: false,
      reason: 'no_published_version',
    });

    // The default draft has no prompt; publishing names the field and writes nothing.
    const refused = await call(app, operator, 'POST', `${a}/versions`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('AGENT_VERSION_INVALID');
    expect(refused.json().error.details).toEqual([{ field: 'systemPrompt', message: 'must not be empty' }]);
    expect(await backend.owner.select().from(tables.agentVersions)).toHaveLength(0);

    await expectStatus(app, operator, 'PATCH', a, 200, {
      draft: { systemPrompt: 'You are the Acme Dental receptionist.', toolIds: [toolId] },
    });
    const v1 = await expectStatus<VersionBody>(app, operator, 'POST', `${a}/versions`, 201, {
      note: 'first',
    });
    expect(v1).toMatchObject({ version: 1, live: true });
    expect(v1.config.tools).toEqual([
      expect.objectContaining({
        id: toolId,
        name: 'get_weather',
        timeoutMs: 10_000,
        webhookPath: 'weather',
        inputSchema: WEATHER_INPUT_SCHEMA,
        retry: { maxAttempts: 3, backoffMs: 250 },
      }),
    ]);
    expect(await resolveNumber(backend.deps, '+14155550100')).toMatchObject({
      ok: true,
      tenant: { id: world.tenantA, status: 'active', maxConcurrentCalls: 5 },
      agent: { id: agent.id, name: 'Front desk' },
      liveVersion: { id: v1.id, version: 1 },
    });

    await expectStatus(app, operator, 'PATCH', a, 200, {
      draft: { llm: { temperature: 0.9 }, systemPrompt: 'You are the Acme Dental receptionist. Be brief.' },
    });
    await expectStatus(app, operator, 'PATCH', `${t}/tools/${toolId}`, 200, { timeoutMs: 4000 });
    const v2 = await expectStatus<VersionBody>(app, operator, 'POST', `${a}/versions`, 201);
    expect(v2).toMatchObject({ version: 2, live: true });
    expect(v2.config.tools[0]!.timeoutMs).toBe(4000);
    const resolved2 = await resolveNumber(backend.deps, '+14155550100');
    expect(resolved2.ok && resolved2.liveVersion.version).toBe(2);

    // A later tool edit does not reach published versions.
    await expectStatus(app, operator, 'PATCH', `${t}/tools/${toolId}`, 200, { description: 'Changed later' });
    const v1Again = await expectStatus<VersionBody>(app, operator, 'GET', `${a}/versions/1`, 200);
    expect(v1Again.config.tools[0]).toMatchObject({
      timeoutMs: 10_000,
      description: 'Looks up the weather for a city',
    });
    expect(v1Again.live).toBe(false);

    const rolledBack = await expectStatus<VersionBody>(app, operator, 'POST', `${a}/rollback`, 200, {
      version: 1,
    });
    expect(rolledBack).toMatchObject({ id: v1.id, version: 1, live: true });
    const resolved3 = await resolveNumber(backend.deps, '+14155550100');
    expect(resolved3.ok && resolved3.liveVersion).toMatchObject({ id: v1.id, version: 1 });
    expect(resolved3.ok && resolved3.liveVersion.config.systemPrompt).toBe(
      'You are the Acme Dental receptionist.',
    );
    expect((await expectStatus<AgentBody>(app, operator, 'GET', a, 200)).liveVersion).toBe(1);

    const diff = await expectStatus<{
      changes: { path: string; kind: string; before: unknown; after: unknown }[];
    }>(app, operator, 'GET', `${a}/diff?from=1&to=2`, 200);
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { path: 'llm.temperature', kind: 'changed', before: 0.4, after: 0.9 },
        {
          path: 'systemPrompt',
          kind: 'changed',
          before: 'You are the Acme Dental receptionist.',
          after: 'You are the Acme Dental receptionist. Be brief.',
        },
        { path: `tools[${toolId}].timeoutMs`, kind: 'changed', before: 10_000, after: 4000 },
      ]),
    );
    expect(diff.changes).toHaveLength(3);

    const page1 = await expectStatus<{ items: VersionBody[]; nextCursor: string | null }>(
      app,
      operator,
      'GET',
      `${a}/versions?limit=1`,
      200,
    );
    expect(page1.items.map((v) => v.version)).toEqual([2]);
    const page2 = await expectStatus<{ items: VersionBody[]; nextCursor: string | null }>(
      app,
      operator,
      'GET',
      `${a}/versions?limit=1&cursor=${page1.nextCursor}`,
      200,
    );
    expect(page2.items.map((v) => [v.version, v.live])).toEqual([[1, true]]);
    expect(page2.nextCursor).toBeNull();

    // The live version still calls the tool's connection, even once the tool itself is archived.
    await expectStatus(app, operator, 'PATCH', a, 200, { draft: { toolIds: [] } });
    await expectStatus(app, admin, 'DELETE', `${t}/tools/${toolId}`, 200);
    const connectionInUse = await call(app, admin, 'DELETE', `${t}/n8n-connections/${connectionId}`);
    expect(connectionInUse.statusCode).toBe(409);
    expect(connectionInUse.json().error.details).toEqual([{ field: 'agents', message: 'Front desk' }]);

    const actions = (await backend.owner.select().from(tables.auditLog))
      .filter((r) => r.targetId === agent.id)
      .map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['agent.create', 'agent.update', 'agent.publish', 'agent.rollback']),
    );
    const rollbackRow = (await backend.owner.select().from(tables.auditLog)).find(
      (r) => r.action === 'agent.rollback',
    );
    expect(rollbackRow?.summary).toMatchObject({ before: { version: 2 }, after: { version: 1 } });
  });
});

describe('publish validation', () => {
  test('names every bad field: unknown models and speaker, missing or foreign tools, empty phrases', async ({
    app,
    world,
  }) => {
    const { admin } = world.as;
    const { toolId: foreignTool } = await createBoundTool(app, admin, world.tenantB, {
      name: 'foreign_tool',
    });
    const t = `/api/tenants/${world.tenantA}`;
    const unbound = await expectStatus<{ id: string }>(app, admin, 'POST', `${t}/tools`, 201, {
      name: 'unbound_tool',
      description: 'not bound yet',
      inputSchema: { type: 'object' },
    });
    const agent = await expectStatus<AgentBody>(app, admin, 'POST', `${t}/agents`, 201, {
      name: 'Bad',
      draft: {
        systemPrompt: '   ',
        voice: { model: 'coda', speaker: 'nobody' },
        stt: { model: 'nova-99' },
        llm: { model: 'gpt-0' },
        toolIds: [foreignTool, unbound.id],
        fallbackPhrases: { error: '' },
        limits: { maxDurationS: 60, silenceTimeoutS: 60 },
      },
    });
    const check = await expectStatus<{ publishable: boolean; issues: { field: string }[] }>(
      app,
      admin,
      'GET',
      `${t}/agents/${agent.id}/draft/check`,
      200,
    );
    expect(check.publishable).toBe(false);
    const res = await call(app, admin, 'POST', `${t}/agents/${agent.id}/versions`);
    expect(res.statusCode).toBe(422);
    const fields = (res.json().error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual([
      'systemPrompt',
      'voice.speaker',
      'stt.model',
      'llm.model',
      'limits.silenceTimeoutS',
      'fallbackPhrases.error',
      'toolIds[0]',
      'toolIds[1]',
    ]);
    expect(check.issues.map((i) => i.field)).toEqual(fields);
  });

  test('refuses malformed drafts at the API with field names, writing nothing', async ({
    app,
    world,
    backend,
  }) => {
    const t = `/api/tenants/${world.tenantA}`;
    const before = (await backend.owner.select().from(tables.agents)).length;
    const res = await call(app, world.as.admin, 'POST', `${t}/agents`, {
      name: 'x',
      draft: { llm: { temperature: 5, extra: 1 }, toolIds: ['not-a-tool'] },
    });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body/draft/llm/temperature', 'body/draft/llm/extra', 'body/draft/toolIds/0']),
    );
    expect((await backend.owner.select().from(tables.agents)).length).toBe(before);
  });
});

describe('agents CRUD and access', () => {
  test('lists with pagination, renames, and archives only when no number routes to the agent', async ({
    app,
    world,
  }) => {
    const { operator } = world.as;
    const t = `/api/tenants/${world.tenantB}`;
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      ids.push((await expectStatus<AgentBody>(app, operator, 'POST', `${t}/agents`, 201, { name })).id);
    }
    const pages = await listPages<{ id: string }>(app, operator, `${t}/agents?limit=2`);
    expect(pages.map((page) => page.map((i) => i.id))).toEqual([[ids[2], ids[1]], [ids[0]]]);

    const renamed = await expectStatus<{ name: string }>(
      app,
      operator,
      'PATCH',
      `${t}/agents/${ids[0]}`,
      200,
      { name: 'uno' },
    );
    expect(renamed.name).toBe('uno');

    const number = await expectStatus<{ id: string }>(app, operator, 'POST', `${t}/phone-numbers`, 201, {
      e164: '+442079460001',
      agentId: ids[0],
    });
    const inUse = await call(app, operator, 'DELETE', `${t}/agents/${ids[0]}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.code).toBe('AGENT_IN_USE');
    await expectStatus(app, operator, 'PATCH', `${t}/phone-numbers/${number.id}`, 200, { agentId: null });
    const archived = await expectStatus<{ archivedAt: string | null }>(
      app,
      operator,
      'DELETE',
      `${t}/agents/${ids[0]}`,
      200,
    );
    expect(archived.archivedAt).not.toBeNull();
    const list = await expectStatus<{ items: { id: string }[] }>(app, operator, 'GET', `${t}/agents`, 200);
    expect(list.items.map((i) => i.id)).not.toContain(ids[0]);
    expect((await call(app, operator, 'PATCH', `${t}/agents/${ids[0]}`, { name: 'zombie' })).statusCode).toBe(
      404,
    );
  });

  test('denies client viewers, and other tenants', async ({ app, world }) => {
    const agent = await expectStatus<AgentBody>(
      app,
      world.as.admin,
      'POST',
      `/api/tenants/${world.tenantA}/agents`,
      201,
      {
        name: 'private',
      },
    );
    const a = `/api/tenants/${world.tenantA}/agents/${agent.id}`;
    expect(
      (await call(app, world.as.viewerA, 'GET', `/api/tenants/${world.tenantA}/agents`)).statusCode,
    ).toBe(403);
    expect((await call(app, world.as.viewerA, 'PATCH', a, { name: 'mine' })).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'POST', `${a}/versions`)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerB, 'GET', a)).statusCode).toBe(403);
    // Another tenant's agent id under your own tenant is simply not there.
    const res = await call(app, world.as.admin, 'GET', `/api/tenants/${world.tenantB}/agents/${agent.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('AGENT_NOT_FOUND');
  });
});
