import { randomUUID } from 'node:crypto';
import { RESPOND_NODE, WEBHOOK_NODE } from './webhook-nodes.js';
import type { WorkflowBody, WorkflowNode } from './workflow-body.js';
import type { N8nWebhookAuth, N8nWorkflowSpec } from './workflow-script.js';
import type { StoredWorkflow, WorkflowStore } from './workflow-store.js';

export interface InstalledWorkflow {
  id: string;
  name: string;
  /** `{url}/webhook/{path}` */
  webhookUrl: string;
  /** `{url}/webhook-test/{path}` (answers only after `listenForTestEvent`). */
  testWebhookUrl: string;
  credentialId: string | undefined;
}

const AUTH_PARAMETER: Record<N8nWebhookAuth['type'], string> = {
  none: 'none',
  header: 'headerAuth',
  basic: 'basicAuth',
  jwt: 'jwtAuth',
};

function credentialFor(auth: N8nWebhookAuth): { type: string; data: Record<string, unknown> } | undefined {
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'header':
      return { type: 'httpHeaderAuth', data: { name: auth.name, value: auth.value } };
    case 'basic':
      return { type: 'httpBasicAuth', data: { user: auth.user, password: auth.password } };
    case 'jwt':
      return {
        type: 'jwtAuth',
        data: { keyType: 'passphrase', secret: auth.secret, algorithm: auth.algorithm },
      };
  }
}

/** Builds the n8n-shaped workflow for a spec (Webhook node, plus Respond to Webhook in responseNode mode). */
function workflowBody(
  spec: N8nWorkflowSpec,
  name: string,
  credential: { id: string; type: string } | undefined,
): WorkflowBody {
  const webhook: WorkflowNode = {
    id: randomUUID(),
    name: 'Webhook',
    type: WEBHOOK_NODE,
    typeVersion: 2,
    position: [0, 0],
    webhookId: randomUUID(),
    parameters: {
      httpMethod: spec.method,
      path: spec.path.replace(/^\/+|\/+$/g, ''),
      authentication: AUTH_PARAMETER[spec.auth.type],
      responseMode: spec.responseMode,
      options: { responseCode: { values: { responseCode: spec.responseCode } } },
    },
    ...(credential
      ? { credentials: { [credential.type]: { id: credential.id, name: `${name} credential` } } }
      : {}),
  };
  if (spec.responseMode !== 'responseNode') {
    return { name, nodes: [webhook], connections: {}, settings: { executionOrder: 'v1' } };
  }
  const respond: WorkflowNode = {
    id: randomUUID(),
    name: 'Respond to Webhook',
    type: RESPOND_NODE,
    typeVersion: 1.1,
    position: [240, 0],
    parameters: { respondWith: 'firstIncomingItem', options: {} },
  };
  return {
    name,
    nodes: [webhook, respond],
    connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

/** Creates the credential and the scripted workflow, and activates it when the spec says so. */
export function installWorkflow(
  store: WorkflowStore,
  spec: N8nWorkflowSpec,
  baseUrl: string,
): InstalledWorkflow {
  const name = spec.name ?? `Sandbox ${spec.method} ${spec.path}`;
  const credentialInput = credentialFor(spec.auth);
  const credential = credentialInput
    ? store.createCredential({ name: `${name} credential`, ...credentialInput })
    : undefined;
  const workflow: StoredWorkflow = store.create(workflowBody(spec, name, credential), {
    tags: spec.tags,
    script: spec.script,
  });
  if (spec.active) {
    const activation = store.activate(workflow.id);
    if (!activation.ok) {
      store.delete(workflow.id);
      if (credential) store.credentials.delete(credential.id);
      throw new Error(
        `n8n emulator: webhook ${spec.method} ${spec.path} is already registered by another workflow`,
      );
    }
  }
  const path = spec.path.replace(/^\/+|\/+$/g, '');
  return {
    id: workflow.id,
    name,
    webhookUrl: `${baseUrl}/webhook/${path}`,
    testWebhookUrl: `${baseUrl}/webhook-test/${path}`,
    credentialId: credential?.id,
  };
}
