export {
  classifyFailure,
  classifyResponse,
  DEFAULT_N8N_TIMEOUT_MS,
  isRecord,
  N8nApiClient,
  type N8nApiClientOptions,
  type N8nProblem,
  type N8nProblemKind,
  type N8nWorkflow,
  type N8nWorkflowPage,
} from './api-client.js';
export { normaliseBaseUrl, webhookUrl } from './base-url.js';
export { type N8nConnectionRow, type N8nEndpoint, openEndpoint } from './endpoint.js';
