import { randomUUID } from 'node:crypto';
import type { N8nApiClient } from '../../src/n8n/index.js';

/** Workflow building blocks for the suites that run against a real n8n through its public API. */
export type N8nNode = Record<string, unknown> & { name: string };

/** A POST webhook that answers through a Respond to Webhook node. */
export function webhookNode(path: string): N8nNode {
  return {
    id: randomUUID(),
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId: randomUUID(),
    parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
  };
}

/** Answers the webhook with the JSON an n8n expression builds (e.g. from `$json.body.args`). */
export const respondNode = (expression: string): N8nNode => ({
  id: randomUUID(),
  name: 'Respond to Webhook',
  type: 'n8n-nodes-base.respondToWebhook',
  typeVersion: 1.1,
  position: [600, 0],
  parameters: { respondWith: 'json', responseBody: `={{ ${expression} }}`, options: {} },
});

/** Connects the nodes one after another. */
export function chain(nodes: N8nNode[]): Record<string, unknown> {
  const connections: Record<string, unknown> = {};
  for (let i = 0; i < nodes.length - 1; i++) {
    connections[nodes[i]!.name] = { main: [[{ node: nodes[i + 1]!.name, type: 'main', index: 0 }]] };
  }
  return connections;
}

/** Creates `Webhook(path) → …nodes` and activates it; returns the workflow's id. */
export async function createActiveWorkflow(
  api: N8nApiClient,
  name: string,
  path: string,
  nodes: N8nNode[],
): Promise<string> {
  const all = [webhookNode(path), ...nodes];
  const made = await api.createWorkflow({
    name,
    nodes: all,
    connections: chain(all),
    settings: { executionOrder: 'v1' },
  });
  if (!made.ok) throw new Error(`creating ${name} failed: ${JSON.stringify(made)}`);
  const id = String(made.value.id);
  const activated = await api.activateWorkflow(id);
  if (!activated.ok) {
    await api.deleteWorkflow(id);
    throw new Error(`activating ${name} failed: ${JSON.stringify(activated)}`);
  }
  return id;
}

/** Deactivates and deletes a workflow a suite created. */
export async function deleteWorkflow(api: N8nApiClient, id: string): Promise<void> {
  await api.deactivateWorkflow(id);
  await api.deleteWorkflow(id);
}
