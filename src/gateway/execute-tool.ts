import type { Deps } from '../lib/deps.js';
import { createGateway, type ExecuteOptions, type Gateway, type GatewayOptions } from './gateway.js';
import type { ExecuteToolRequest, ToolOutcome } from './types.js';

// Circuit breakers and tenant caps only work if every caller in the process shares them, so the
// call engine and the console use one gateway unless a caller (a test) brings its own.
let shared: Gateway | undefined;

/** The process-wide gateway. */
export function sharedGateway(): Gateway {
  shared ??= createGateway();
  return shared;
}

/** Replaces the process-wide gateway, e.g. at start-up to route outbound HTTP through the SSRF guard. */
export function configureSharedGateway(options: GatewayOptions): Gateway {
  shared = createGateway(options);
  return shared;
}

export interface ExecuteToolOptions extends ExecuteOptions {
  gateway?: Gateway;
}

/**
 * Runs one tool call against the tenant's n8n: validates the arguments, POSTs to the bound webhook
 * with retries, records the execution and every attempt, and answers a result or an error the LLM
 * can act on. Throws only when the execution cannot even be recorded.
 */
export function executeTool(
  deps: Deps,
  request: ExecuteToolRequest,
  options: ExecuteToolOptions = {},
): Promise<ToolOutcome> {
  const { gateway, ...executeOptions } = options;
  return (gateway ?? sharedGateway()).execute(deps, request, executeOptions);
}

/** What the LLM receives as the tool message: the result, or the error it can act on. */
export function outcomeForModel(outcome: ToolOutcome): unknown {
  if (outcome.ok) return outcome.result;
  const { code, message, retryable, issues } = outcome.error;
  return { error: { code, message, retryable, ...(issues ? { issues } : {}) } };
}
