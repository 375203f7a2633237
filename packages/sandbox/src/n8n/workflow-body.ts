import { Ajv, type ErrorObject } from 'ajv';

/** A workflow node as the public API stores it; only the keys the emulator reads are typed. */
export interface WorkflowNode {
  id?: string;
  name?: string;
  type?: string;
  typeVersion?: number;
  webhookId?: string;
  disabled?: boolean;
  position?: number[];
  parameters?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The writable part of a workflow: what `POST`/`PUT /api/v1/workflows` accept. */
export interface WorkflowBody {
  name: string;
  nodes: WorkflowNode[];
  connections: Record<string, unknown>;
  settings: Record<string, unknown>;
  staticData?: unknown;
  pinData?: unknown;
}

const READ_ONLY = [
  'id',
  'active',
  'createdAt',
  'updatedAt',
  'versionId',
  'activeVersionId',
  'triggerCount',
  'tags',
  'shared',
  'activeVersion',
  'isArchived',
  'meta',
];

const nodeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    webhookId: { type: 'string' },
    disabled: { type: 'boolean' },
    notesInFlow: { type: 'boolean' },
    notes: { type: 'string' },
    type: { type: 'string' },
    typeVersion: { type: 'number' },
    executeOnce: { type: 'boolean' },
    alwaysOutputData: { type: 'boolean' },
    retryOnFail: { type: 'boolean' },
    maxTries: { type: 'number' },
    waitBetweenTries: { type: 'number' },
    continueOnFail: { type: 'boolean' },
    onError: { type: 'string' },
    position: { type: 'array', items: { type: 'number' } },
    parameters: { type: 'object', additionalProperties: true },
    credentials: { type: 'object' },
    customTelemetryTags: { type: 'object' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
};

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    saveExecutionProgress: { type: 'boolean' },
    saveManualExecutions: { type: 'boolean' },
    saveDataErrorExecution: { type: 'string', enum: ['all', 'none'] },
    saveDataSuccessExecution: { type: 'string', enum: ['all', 'none'] },
    executionTimeout: { type: 'number' },
    errorWorkflow: { type: 'string' },
    timezone: { type: 'string' },
    executionOrder: { type: 'string' },
    callerPolicy: { type: 'string', enum: ['any', 'none', 'workflowsFromAList', 'workflowsFromSameOwner'] },
    callerIds: { type: 'string' },
    timeSavedMode: { type: 'string' },
    timeSavedPerExecution: { type: 'number' },
    redactionPolicy: { type: 'string' },
    availableInMCP: { type: 'boolean' },
    customTelemetryTags: { type: 'array' },
  },
};

const workflowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'nodes', 'connections', 'settings'],
  properties: {
    name: { type: 'string' },
    nodes: { type: 'array', items: nodeSchema },
    connections: { type: 'object' },
    settings: settingsSchema,
    staticData: { anyOf: [{ type: 'string' }, { type: 'object' }, { type: 'null' }] },
    pinData: { anyOf: [{ type: 'object' }, { type: 'null' }] },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<WorkflowBody>(workflowSchema);

export type WorkflowBodyResult = { ok: true; body: WorkflowBody } | { ok: false; message: string };

/** Validates a create/update body the way n8n's OpenAPI validator does, with its messages. */
export function validateWorkflowBody(value: unknown): WorkflowBodyResult {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const readOnly = READ_ONLY.find((key) => key in value);
    if (readOnly) return { ok: false, message: `request/body/${readOnly} is read-only` };
  }
  if (validate(value)) return { ok: true, body: value };
  return { ok: false, message: (validate.errors ?? []).map(formatError).join(', ') };
}

function formatError(error: ErrorObject): string {
  return `request/body${error.instancePath} ${error.message ?? 'is invalid'}`;
}
