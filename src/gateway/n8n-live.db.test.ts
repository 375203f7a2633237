import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { N8nApiClient, normaliseBaseUrl } from '../n8n/index.js';
import { createGateway } from './gateway.js';
import {
  createTestTenant,
  executionRows,
  insertConnection,
  insertTool,
  type TestWebhookAuth,
} from './gateway.test-support.js';

/**
 * Opt-in: runs against a real n8n (self-hosted or n8n Cloud) when N8N_URL and N8N_API_KEY are set,
 * e.g. after `../shared/tools/n8n-up.sh`. Creates a webhook workflow through the public API,
 * activates it, binds a tool to it and executes it through the gateway; deletes what it created.
 */
const N8N_URL = process.env.N8N_URL;
const N8N_API_KEY = process.env.N8N_API_KEY;

function baseUrl(): string {
  const base = normaliseBaseUrl(N8N_URL!);
  if (!base.ok) throw new Error(`N8N_URL ${base.error}`);
  return base.value;
}

describe.skipIf(!N8N_URL || !N8N_API_KEY)('gateway against a real n8n', () => {
  let backend: TestBackend;
  let api: N8nApiClient;
  let tenantId: string;
  let workflowId: string | undefined;
  let credentialId: string | undefined;
  const path = `switchboard-live-${randomBytes(4).toString('hex')}`;
  const headerValue = `live-${randomBytes(12).toString('hex')}`;
  let auth: TestWebhookAuth = { kind: 'none' };

  beforeAll(async () => {
    backend = await openTestBackend();
    tenantId = await createTestTenant(backend.deps);
    api = new N8nApiClient({ baseUrl: baseUrl(), apiKey: N8N_API_KEY!, fetch, timeoutMs: 15_000 });

    // Header auth when the key may create credentials (scoped keys often may not).
    const credential = await api.createCredential({
      name: `Switchboard ${path}`,
      type: 'httpHeaderAuth',
      data: { name: 'X-Switchboard-Token', value: headerValue },
    });
    if (credential.ok) {
      credentialId = String(credential.value.id);
      auth = { kind: 'header', name: 'X-Switchboard-Token', value: headerValue };
    }
    const created = await api.createWorkflow({
      name: `Switchboard live test ${path}`,
      nodes: [
        {
          id: randomUUID(),
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          webhookId: randomUUID(),
          parameters: {
            httpMethod: 'POST',
            path,
            authentication: credentialId ? 'headerAuth' : 'none',
            responseMode: 'responseNode',
            options: {},
          },
          ...(credentialId
            ? { credentials: { httpHeaderAuth: { id: credentialId, name: `Switchboard ${path}` } } }
            : {}),
        },
        {
          id: randomUUID(),
          name: 'Respond to Webhook',
          type: 'n8n-nodes-base.respondToWebhook',
          typeVersion: 1.1,
          position: [240, 0],
          parameters: {
            respondWith: 'json',
            responseBody:
              '={{ { "booked": true, "name": $json.body.args.name, "executionId": $json.body.context.executionId, "idempotencyKey": $json.headers["idempotency-key"] } }}',
            options: {},
          },
        },
      ],
      connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1' },
    });
    if (!created.ok) throw new Error(`creating the workflow failed: ${JSON.stringify(created)}`);
    workflowId = String(created.value.id);
    const activated = await api.activateWorkflow(workflowId);
    if (!activated.ok) throw new Error(`activating the workflow failed: ${JSON.stringify(activated)}`);
  }, 60_000);

  afterAll(async () => {
    if (workflowId) {
      await api.deactivateWorkflow(workflowId);
      await api.deleteWorkflow(workflowId);
    }
    if (credentialId) await api.deleteCredential(credentialId);
    await backend?.close();
  });

  it('lists the workflow as active through the public API', async () => {
    const found = await api.getWorkflow(workflowId!);
    expect(found).toMatchObject({ ok: true, value: { id: workflowId, active: true } });
    const page = await api.listWorkflows({ active: true, limit: 250 });
    expect(page.ok && page.value.data.some((w) => w.id === workflowId)).toBe(true);
  });

  it('has n8n refuse the webhook without the header credential', async (context) => {
    if (auth.kind !== 'header') context.skip('the API key may not create credentials');
    const response = await fetch(`${baseUrl()}/webhook/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });

  it('executes a bound tool through the webhook', async () => {
    const connectionId = await insertConnection(backend.deps, tenantId, {
      baseUrl: `${N8N_URL}/`,
      apiKey: N8N_API_KEY!,
      auth,
    });
    const tool = await insertTool(backend.deps, tenantId, {
      webhookPath: path,
      connectionId,
      workflowId: workflowId!,
      timeoutMs: 15_000,
    });
    const gateway = createGateway();
    const execute = () =>
      gateway.execute(backend.deps, {
        tenantId,
        tool,
        arguments: { name: 'Ada Lovelace', date: '2026-12-01' },
      });
    const outcome = await execute();
    expect(outcome).toMatchObject({
      ok: true,
      status: 'succeeded',
      result: { booked: true, name: 'Ada Lovelace' },
    });
    if (!outcome.ok) return;
    expect(outcome.result).toMatchObject({
      executionId: outcome.executionId,
      idempotencyKey: outcome.executionId,
    });
    const rows = await executionRows(backend.deps, tenantId, outcome.executionId);
    expect(rows.status).toBe('succeeded');
    expect(rows.attempts.map((a) => [a.statusCode, a.outcome])).toEqual([[200, 'succeeded']]);
    if (auth.kind === 'header') expect(JSON.stringify(rows)).not.toContain(headerValue);

    // Deactivated, the production URL answers 404 and the public API explains why.
    await api.deactivateWorkflow(workflowId!);
    const inactive = await execute();
    expect(inactive).toMatchObject({
      ok: false,
      status: 'failed',
      error: { code: 'workflow_inactive', httpStatus: 404, details: { workflow: { active: false } } },
    });
  }, 60_000);
});
