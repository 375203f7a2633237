import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type N8nEmulator, startN8nEmulator } from './emulator.js';

let n8n: N8nEmulator;

beforeAll(async () => {
  n8n = await startN8nEmulator();
});
afterAll(() => n8n.close());

async function api(
  path: string,
  init: { method?: string; body?: unknown; rawBody?: string; key?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers['x-n8n-api-key'] = init.key ?? n8n.apiKey;
  const response = await fetch(`${n8n.url}/api/v1${path}`, {
    method: init.method ?? (init.body === undefined && init.rawBody === undefined ? 'GET' : 'POST'),
    headers,
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function webhookWorkflow(name: string, path: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    nodes: [
      {
        id: crypto.randomUUID(),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: crypto.randomUUID(),
        parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {}, ...extra },
      },
    ],
    connections: {},
    settings: { executionOrder: 'v1' },
  };
}

function decodeCursor(cursor: unknown): unknown {
  return JSON.parse(Buffer.from(String(cursor), 'base64').toString('utf8'));
}

describe('n8n public API: auth', () => {
  it('answers 401 {"message":"Unauthorized"} without or with a wrong X-N8N-API-KEY', async () => {
    expect(await api('/workflows', { key: null })).toEqual({
      status: 401,
      json: { message: 'Unauthorized' },
    });
    expect(await api('/workflows', { key: 'nope' })).toEqual({
      status: 401,
      json: { message: 'Unauthorized' },
    });
  });

  it('can use the 1.x wordings', async () => {
    const old = await startN8nEmulator({ apiAuthWording: '1.x', apiKeys: ['k1'] });
    try {
      const missing = await fetch(`${old.url}/api/v1/workflows`);
      expect(await missing.json()).toEqual({ message: "'X-N8N-API-KEY' header required" });
      const wrong = await fetch(`${old.url}/api/v1/workflows`, { headers: { 'x-n8n-api-key': 'k2' } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ message: 'unauthorized' });
    } finally {
      await old.close();
    }
  });
});

describe('n8n public API: create validation', () => {
  it.each([
    [{ name: 'x', nodes: [], connections: {} }, "request/body must have required property 'settings'"],
    [{ ...webhookWorkflow('x', 'p'), active: true }, 'request/body/active is read-only'],
    [{ ...webhookWorkflow('x', 'p'), id: 'abc' }, 'request/body/id is read-only'],
    [{ ...webhookWorkflow('x', 'p'), tags: [] }, 'request/body/tags is read-only'],
    [{ ...webhookWorkflow('x', 'p'), colour: 'red' }, 'request/body must NOT have additional properties'],
    [
      { ...webhookWorkflow('x', 'p'), settings: { speed: 'fast' } },
      'request/body/settings must NOT have additional properties',
    ],
    [
      { ...webhookWorkflow('x', 'p'), nodes: [{ name: 'A', colour: 1 }] },
      'request/body/nodes/0 must NOT have additional properties',
    ],
    [{ ...webhookWorkflow('x', 'p'), name: 5 }, 'request/body/name must be string'],
  ])('rejects %j with 400', async (body, message) => {
    expect(await api('/workflows', { body })).toEqual({ status: 400, json: { message } });
  });

  it('rejects malformed JSON with 400', async () => {
    expect(await api('/workflows', { rawBody: '{"name":' })).toEqual({
      status: 400,
      json: { message: 'Invalid JSON in request body' },
    });
  });

  it('creates an inactive workflow with a 16-char id and a UUID versionId, then gets it', async () => {
    const created = await api('/workflows', { body: webhookWorkflow('Create me', 'create-me') });
    expect(created.status).toBe(200);
    expect(created.json.id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(created.json.versionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json).toMatchObject({
      name: 'Create me',
      active: false,
      isArchived: false,
      triggerCount: 0,
    });
    const fetched = await api(`/workflows/${String(created.json.id)}`);
    expect(fetched.json).toEqual(created.json);
    expect(await api('/workflows/doesNotExist1234')).toEqual({ status: 404, json: { message: 'Not Found' } });
  });
});

describe('n8n public API: workflow list pagination', () => {
  it('pages with base64 JSON {limit, offset} cursors, null on the last page', async () => {
    const own = await startN8nEmulator();
    try {
      const list = async (query: string) => {
        const response = await fetch(`${own.url}/api/v1/workflows${query}`, {
          headers: { 'x-n8n-api-key': own.apiKey },
        });
        return {
          status: response.status,
          json: (await response.json()) as {
            data: { name: string }[];
            nextCursor: string | null;
            message?: string;
          },
        };
      };
      for (let i = 0; i < 5; i++) {
        await fetch(`${own.url}/api/v1/workflows`, {
          method: 'POST',
          headers: { 'x-n8n-api-key': own.apiKey },
          body: JSON.stringify(webhookWorkflow(`wf ${i}`, `page-${i}`)),
        });
      }
      const first = await list('?limit=2');
      expect(first.json.data.map((workflow) => workflow.name)).toEqual(['wf 0', 'wf 1']);
      expect(decodeCursor(first.json.nextCursor)).toEqual({ limit: 2, offset: 2 });
      const second = await list(`?cursor=${encodeURIComponent(String(first.json.nextCursor))}&limit=50`);
      expect(second.json.data.map((workflow) => workflow.name)).toEqual(['wf 2', 'wf 3']);
      const third = await list(`?cursor=${encodeURIComponent(String(second.json.nextCursor))}`);
      expect(third.json.data.map((workflow) => workflow.name)).toEqual(['wf 4']);
      expect(third.json.nextCursor).toBeNull();
      expect((await list('')).json.data).toHaveLength(5);
      expect((await list('')).json.nextCursor).toBeNull();
      expect(await list('?cursor=not-a-cursor')).toEqual({
        status: 400,
        json: { message: 'An invalid cursor was provided' },
      });
      const notJsonObject = Buffer.from('[1]').toString('base64');
      expect((await list(`?cursor=${notJsonObject}`)).status).toBe(400);
      expect(await list('?limit=251')).toEqual({
        status: 400,
        json: { message: 'request/query/limit must be <= 250' },
      });
      expect((await list('?limit=250')).status).toBe(200);
      expect((await list('?name=wf 3')).json.data.map((workflow) => workflow.name)).toEqual(['wf 3']);
      expect((await list('?active=true')).json.data).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('n8n public API: activation', () => {
  it('activates (registering the webhook), deactivates, and answers the publish aliases', async () => {
    const created = await api('/workflows', { body: webhookWorkflow('Activate me', 'activate-me') });
    const id = String(created.json.id);
    const before = await fetch(`${n8n.url}/webhook/activate-me`, { method: 'POST' });
    expect(before.status).toBe(404);

    const activated = await api(`/workflows/${id}/activate`, { method: 'POST' });
    expect(activated.status).toBe(200);
    expect(activated.json).toMatchObject({
      active: true,
      activeVersionId: created.json.versionId,
      triggerCount: 1,
    });
    const live = await fetch(`${n8n.url}/webhook/activate-me`, { method: 'POST', body: '{}' });
    expect(await live.json()).toEqual({ message: 'Workflow was started' });
    expect((await api('/workflows?active=true')).json.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id })]),
    );

    expect((await api(`/workflows/${id}/deactivate`, { method: 'POST' })).json).toMatchObject({
      active: false,
    });
    expect((await fetch(`${n8n.url}/webhook/activate-me`, { method: 'POST' })).status).toBe(404);
    expect((await api(`/workflows/${id}/publish`, { method: 'POST' })).json).toMatchObject({ active: true });
    expect((await api(`/workflows/${id}/unpublish`, { method: 'POST' })).json).toMatchObject({
      active: false,
    });
    expect((await api('/workflows/missing000000000/activate', { method: 'POST' })).status).toBe(404);
  });

  it('answers 409 when another active workflow holds the same method and path', async () => {
    const first = await api('/workflows', { body: webhookWorkflow('Holder', 'taken-path') });
    const second = await api('/workflows', { body: webhookWorkflow('Intruder', 'taken-path') });
    expect((await api(`/workflows/${String(first.json.id)}/activate`, { method: 'POST' })).status).toBe(200);
    const conflict = await api(`/workflows/${String(second.json.id)}/activate`, { method: 'POST' });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({
      message: 'There is a conflict with one of the webhooks.',
      conflicts: [{ conflict: { webhookPath: 'taken-path', method: 'POST', workflowId: first.json.id } }],
    });
    const otherMethod = await api('/workflows', {
      body: webhookWorkflow('Other method', 'taken-path', { httpMethod: 'GET' }),
    });
    expect((await api(`/workflows/${String(otherMethod.json.id)}/activate`, { method: 'POST' })).status).toBe(
      200,
    );
  });

  it('refuses to activate a workflow without a trigger', async () => {
    const created = await api('/workflows', {
      body: {
        name: 'No trigger',
        nodes: [{ name: 'Set', type: 'n8n-nodes-base.set' }],
        connections: {},
        settings: {},
      },
    });
    const answer = await api(`/workflows/${String(created.json.id)}/activate`, { method: 'POST' });
    expect(answer.status).toBe(400);
    expect(String(answer.json.message)).toMatch(/no node to start the workflow/);
  });

  it('updates with PUT (new versionId) and deletes', async () => {
    const created = await api('/workflows', { body: webhookWorkflow('Before', 'put-path') });
    const id = String(created.json.id);
    await api(`/workflows/${id}/activate`, { method: 'POST' });
    const updated = await api(`/workflows/${id}`, {
      method: 'PUT',
      body: webhookWorkflow('After', 'put-path-2'),
    });
    expect(updated.json).toMatchObject({ name: 'After', active: true });
    expect(updated.json.versionId).not.toBe(created.json.versionId);
    expect((await fetch(`${n8n.url}/webhook/put-path`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${n8n.url}/webhook/put-path-2`, { method: 'POST' })).status).toBe(200);
    expect((await api(`/workflows/${id}`, { method: 'PUT', body: { name: 'x' } })).status).toBe(400);
    expect((await api(`/workflows/${id}`, { method: 'DELETE' })).json).toMatchObject({ id, name: 'After' });
    expect((await api(`/workflows/${id}`)).status).toBe(404);
    expect((await fetch(`${n8n.url}/webhook/put-path-2`, { method: 'POST' })).status).toBe(404);
  });
});

describe('n8n public API: executions', () => {
  it('lists executions newest first with {lastId, limit} cursors, filters and includeData', async () => {
    const own = await startN8nEmulator();
    try {
      const installed = own.installWorkflow({ path: 'exec-list', script: { otherwise: { type: 'echo' } } });
      const other = own.installWorkflow({ path: 'exec-other' });
      for (let i = 1; i <= 5; i++) {
        await fetch(installed.webhookUrl, {
          method: 'POST',
          body: JSON.stringify({ i }),
          headers: { 'content-type': 'application/json' },
        });
      }
      await fetch(other.webhookUrl, { method: 'POST' });
      const list = async (query: string) => {
        const response = await fetch(`${own.url}/api/v1/executions${query}`, {
          headers: { 'x-n8n-api-key': own.apiKey },
        });
        return {
          status: response.status,
          json: (await response.json()) as { data: Record<string, unknown>[]; nextCursor: string | null },
        };
      };
      const first = await list(`?workflowId=${installed.id}&limit=2`);
      expect(first.json.data.map((execution) => execution.id)).toEqual(['5', '4']);
      expect(decodeCursor(first.json.nextCursor)).toEqual({ lastId: '4', limit: 2 });
      expect(first.json.data[0]).toMatchObject({
        mode: 'webhook',
        status: 'success',
        finished: true,
        workflowId: installed.id,
      });
      expect(first.json.data[0]).not.toHaveProperty('data');
      const second = await list(
        `?workflowId=${installed.id}&cursor=${encodeURIComponent(String(first.json.nextCursor))}`,
      );
      expect(second.json.data.map((execution) => execution.id)).toEqual(['3', '2']);
      const third = await list(
        `?workflowId=${installed.id}&cursor=${encodeURIComponent(String(second.json.nextCursor))}`,
      );
      expect(third.json.data.map((execution) => execution.id)).toEqual(['1']);
      expect(third.json.nextCursor).toBeNull();
      expect((await list('')).json.data).toHaveLength(6);
      expect((await list('?status=error')).json.data).toHaveLength(0);
      expect((await list('?cursor=%%%')).status).toBe(400);
      const withData = await list(`?workflowId=${installed.id}&limit=1&includeData=true`);
      expect(withData.json.data[0]).toMatchObject({
        data: {
          resultData: {
            runData: { 'Respond to Webhook': [{ data: { main: [[{ json: { body: { i: 5 } } }]] } }] },
          },
        },
      });
      const one = await fetch(`${own.url}/api/v1/executions/3?includeData=true`, {
        headers: { 'x-n8n-api-key': own.apiKey },
      });
      expect(await one.json()).toMatchObject({
        id: '3',
        data: { resultData: { lastNodeExecuted: 'Respond to Webhook' } },
      });
    } finally {
      await own.close();
    }
  });
});

describe('n8n public API: credentials', () => {
  it('creates a header-auth credential that an API-created workflow uses', async () => {
    const missing = await api('/credentials', { body: { name: 'x', type: 'httpHeaderAuth' } });
    expect(missing).toEqual({
      status: 400,
      json: { message: "request/body must have required property 'data'" },
    });
    const credential = await api('/credentials', {
      body: {
        name: 'Agent header auth',
        type: 'httpHeaderAuth',
        data: { name: 'X-Agent-Token', value: 's3cret' },
      },
    });
    expect(credential.status).toBe(200);
    expect(credential.json).not.toHaveProperty('data');
    const workflow = webhookWorkflow('With credential', 'cred-path', { authentication: 'headerAuth' });
    const node = workflow.nodes[0] as Record<string, unknown>;
    node.credentials = { httpHeaderAuth: { id: credential.json.id, name: 'Agent header auth' } };
    const created = await api('/workflows', { body: workflow });
    await api(`/workflows/${String(created.json.id)}/activate`, { method: 'POST' });
    expect((await fetch(`${n8n.url}/webhook/cred-path`, { method: 'POST' })).status).toBe(403);
    const ok = await fetch(`${n8n.url}/webhook/cred-path`, {
      method: 'POST',
      headers: { 'x-agent-token': 's3cret' },
    });
    expect(ok.status).toBe(200);
  });
});
