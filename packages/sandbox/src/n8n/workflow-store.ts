import { newEntityId, newVersionId } from './ids.js';
import type { StoredCredential } from './webhook-auth.js';
import { webhookDefinitions } from './webhook-nodes.js';
import { type WebhookConflict, WebhookRegistry } from './webhook-registry.js';
import type { WorkflowBody } from './workflow-body.js';
import type { N8nWorkflowScript } from './workflow-script.js';

export const PROJECT_ID = 'sandboxProject01';

export interface StoredWorkflow extends WorkflowBody {
  id: string;
  active: boolean;
  isArchived: boolean;
  createdAt: string;
  updatedAt: string;
  versionId: string;
  activeVersionId: string | null;
  tags: string[];
  /** Emulator-only: scripted behaviour that replaces interpreting the nodes. */
  script: N8nWorkflowScript | undefined;
  /** Emulator-only: calls that passed webhook auth, for script sequences. */
  callCount: number;
}

export type ActivationResult =
  | { ok: true; workflow: StoredWorkflow }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'conflict'; conflicts: WebhookConflict[] };

/** Workflows, credentials and the live and test webhook registries. */
export class WorkflowStore {
  readonly workflows = new Map<string, StoredWorkflow>();
  readonly credentials = new Map<string, StoredCredential>();
  readonly live = new WebhookRegistry();
  readonly test = new WebhookRegistry();
  /** Workflow id → time (ms) until which its test webhooks listen. */
  private readonly armedUntil = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  private timestamp(): string {
    return new Date(this.now()).toISOString();
  }

  create(body: WorkflowBody, extras: { tags?: string[]; script?: N8nWorkflowScript } = {}): StoredWorkflow {
    const at = this.timestamp();
    const workflow: StoredWorkflow = {
      ...body,
      staticData: body.staticData ?? null,
      pinData: body.pinData ?? {},
      id: newEntityId(),
      active: false,
      isArchived: false,
      createdAt: at,
      updatedAt: at,
      versionId: newVersionId(),
      activeVersionId: null,
      tags: extras.tags ?? [],
      script: extras.script,
      callCount: 0,
    };
    this.workflows.set(workflow.id, workflow);
    return workflow;
  }

  /** Replaces the writable fields; an active workflow re-registers its webhooks (409 on conflict). */
  update(id: string, body: WorkflowBody): ActivationResult {
    const workflow = this.workflows.get(id);
    if (!workflow) return { ok: false, reason: 'not_found' };
    if (workflow.active) {
      const conflicts = this.live.conflicts(id, webhookDefinitions(body));
      if (conflicts.length > 0) return { ok: false, reason: 'conflict', conflicts };
    }
    Object.assign(workflow, body, { updatedAt: this.timestamp(), versionId: newVersionId() });
    if (workflow.active) {
      this.live.unregister(id);
      this.live.register(id, webhookDefinitions(workflow));
      workflow.activeVersionId = workflow.versionId;
    }
    return { ok: true, workflow };
  }

  delete(id: string): StoredWorkflow | undefined {
    const workflow = this.workflows.get(id);
    if (!workflow) return undefined;
    this.live.unregister(id);
    this.disarm(id);
    this.workflows.delete(id);
    return workflow;
  }

  activate(id: string): ActivationResult {
    const workflow = this.workflows.get(id);
    if (!workflow) return { ok: false, reason: 'not_found' };
    const definitions = webhookDefinitions(workflow);
    const conflicts = this.live.conflicts(id, definitions);
    if (conflicts.length > 0) return { ok: false, reason: 'conflict', conflicts };
    this.live.unregister(id);
    this.live.register(id, definitions);
    workflow.active = true;
    workflow.activeVersionId = workflow.versionId;
    workflow.updatedAt = this.timestamp();
    return { ok: true, workflow };
  }

  deactivate(id: string): StoredWorkflow | undefined {
    const workflow = this.workflows.get(id);
    if (!workflow) return undefined;
    this.live.unregister(id);
    workflow.active = false;
    workflow.activeVersionId = null;
    workflow.updatedAt = this.timestamp();
    return workflow;
  }

  /** "Listen for test event": the test URLs answer one call within `ttlMs`. */
  arm(id: string, ttlMs: number): boolean {
    const workflow = this.workflows.get(id);
    if (!workflow) return false;
    this.test.unregister(id);
    this.test.register(id, webhookDefinitions(workflow));
    this.armedUntil.set(id, this.now() + ttlMs);
    return true;
  }

  disarm(id: string): void {
    this.test.unregister(id);
    this.armedUntil.delete(id);
  }

  /** Drops test registrations whose listening window has passed. */
  expireTestWebhooks(): void {
    const now = this.now();
    for (const [id, until] of this.armedUntil) if (until <= now) this.disarm(id);
  }

  createCredential(input: { name: string; type: string; data: Record<string, unknown> }): StoredCredential {
    const at = this.timestamp();
    const credential: StoredCredential = { id: newEntityId(), ...input, createdAt: at, updatedAt: at };
    this.credentials.set(credential.id, credential);
    return credential;
  }
}

/** A workflow as the public API returns it. */
export function workflowToApi(
  workflow: StoredWorkflow,
  options: { excludePinnedData?: boolean } = {},
): object {
  const triggerCount = workflow.active ? webhookDefinitions(workflow).length : 0;
  return {
    id: workflow.id,
    name: workflow.name,
    active: workflow.active,
    isArchived: workflow.isArchived,
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
    versionId: workflow.versionId,
    activeVersionId: workflow.activeVersionId,
    triggerCount,
    nodes: workflow.nodes,
    connections: workflow.connections,
    settings: workflow.settings,
    staticData: workflow.staticData ?? null,
    meta: null,
    ...(options.excludePinnedData ? {} : { pinData: workflow.pinData ?? {} }),
    tags: workflow.tags.map((name) => ({
      id: tagId(name),
      name,
      createdAt: workflow.createdAt,
      updatedAt: workflow.createdAt,
    })),
    shared: [{ role: 'workflow:owner', workflowId: workflow.id, projectId: PROJECT_ID }],
  };
}

function tagId(name: string): string {
  return Buffer.from(name).toString('hex').slice(0, 16).padEnd(16, '0');
}
