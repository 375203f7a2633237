export { type ConnectionCircuits, connectionCircuits, type ToolCircuit } from './circuits.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export {
  createGateway,
  DEFAULT_LIMITS,
  type ExecuteOptions,
  type Gateway,
  type GatewayLimits,
  type GatewayOptions,
  TEST_TRAFFIC_HEADER,
} from './gateway.js';
export {
  countToolRequests,
  getToolExecution,
  listToolExecutions,
  type ToolExecution,
  type ToolExecutionAttempt,
  type ToolExecutionFilter,
  type ToolExecutionSummary,
} from './list-tool-executions.js';
export { outcomeForModel } from './outcome-for-model.js';
export type { CircuitStateName, CircuitView } from './resilience.js';
export type { FetchLike } from './send-attempt.js';
export { loadGatewayTool, testTool } from './test-tool.js';
export {
  EXECUTION_STATUSES,
  type ExecuteToolRequest,
  type ExecutionStatus,
  FAILURE_CLASSES,
  type FailureClass,
  type GatewayTool,
  TOOL_ERROR_CODES,
  type ToolCallContext,
  type ToolError,
  type ToolErrorCode,
  type ToolOutcome,
  type ValidationIssue,
} from './types.js';
