export { type N8nEmulator, type N8nEmulatorOptions, startN8nEmulator } from './emulator.js';
export type {
  ExecutionFilter,
  N8nExecutionRecord,
  N8nExecutionStatus,
  N8nWebhookRequest,
} from './execution-log.js';
export type { InstalledWorkflow } from './install-workflow.js';
export { type JwtAlgorithm, signJwt } from './jwt.js';
export type { N8nWebhookCall, WebhookKind } from './webhook-handler.js';
export {
  N8nHttpMethod,
  N8nResponse,
  N8nScriptStep,
  N8nWebhookAuth,
  N8nWorkflowScript,
  type N8nWorkflowScriptInput,
  N8nWorkflowSpec,
  type N8nWorkflowSpecInput,
} from './workflow-script.js';
