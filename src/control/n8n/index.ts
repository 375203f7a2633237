export {
  findConnection,
  type N8nConnection,
  toConnectionView,
  webhookAuthView,
} from './connection-row.js';
export {
  ConnectionTestResult,
  CreateN8nConnectionInput,
  N8nWorkflowSummary,
  SecretState,
  UpdateN8nConnectionInput,
  WebhookAuthInput,
  WebhookAuthView,
} from './connection-schemas.js';
export { createN8nConnection } from './create-connection.js';
export { deleteN8nConnection } from './delete-connection.js';
export { getN8nConnection, listN8nConnections } from './list-connections.js';
export { type ListWorkflowsInput, listN8nWorkflows } from './list-workflows.js';
export { testN8nConnection, testN8nSettings } from './test-connection.js';
export { updateN8nConnection } from './update-connection.js';
