import type { FinalStatus, ToolError, ToolErrorCode, ValidationIssue } from './types.js';

/** The execution status a final failure leaves. */
export function statusFor(code: ToolErrorCode): Exclude<FinalStatus, 'succeeded'> {
  switch (code) {
    case 'arguments_invalid':
      return 'rejected';
    case 'timeout':
    case 'deadline_exceeded':
      return 'timed_out';
    case 'circuit_open':
      return 'circuit_open';
    default:
      return 'failed';
  }
}

const RETRYABLE_LATER: ReadonlySet<ToolErrorCode> = new Set<ToolErrorCode>([
  'timeout',
  'deadline_exceeded',
  'connect_error',
  'connection_reset',
  'network_error',
  'rate_limited',
  'server_error',
  'circuit_open',
  'busy',
]);

const OFFER_CALLBACK = 'Apologise to the caller and offer a callback.';

/** One short instruction per failure, written for the LLM that reads it as the tool's result. */
function messageFor(code: ToolErrorCode, tool: string, detail: string | undefined): string {
  const system = `The system behind ${tool}`;
  switch (code) {
    case 'arguments_invalid':
      return `The arguments for ${tool} are invalid (see issues). Correct them, asking the caller for anything missing, then call ${tool} again.`;
    case 'not_configured':
    case 'address_blocked':
      return `${tool} is not set up yet. Do not retry. ${OFFER_CALLBACK}`;
    case 'workflow_inactive':
      return `${system} is switched off. Do not retry. ${OFFER_CALLBACK}`;
    case 'timeout':
    case 'deadline_exceeded':
    case 'connect_error':
    case 'connection_reset':
    case 'network_error':
      return `${system} is not responding. ${OFFER_CALLBACK}`;
    case 'server_error':
      return `${system} had an internal error. ${OFFER_CALLBACK}`;
    case 'rate_limited':
      return `${system} is too busy right now. ${OFFER_CALLBACK}`;
    case 'circuit_open':
      return `${system} is currently unavailable. Do not retry. ${OFFER_CALLBACK}`;
    case 'busy':
      return `Too many requests are in progress. Ask the caller to hold a moment and try once more, or offer a callback.`;
    case 'auth_rejected':
      return `${system} refused our credentials. Do not retry. ${OFFER_CALLBACK}`;
    case 'client_error':
      return detail
        ? `${system} refused the request: "${detail}". Check the details with the caller and correct them, or offer a callback.`
        : `${system} refused the request. Check the details with the caller, or offer a callback.`;
    case 'invalid_json':
    case 'response_too_large':
      return `${system} gave an answer that could not be read. Do not retry. ${OFFER_CALLBACK}`;
    case 'output_invalid':
      return `${system} answered, but its result is not in the expected form, so it cannot be trusted: do not tell the caller it worked or repeat any of it. Do not retry. ${OFFER_CALLBACK}`;
    case 'cancelled':
      return `The request to ${tool} was cancelled.`;
  }
}

export function toolError(
  code: ToolErrorCode,
  toolName: string,
  extra: {
    detail?: string;
    httpStatus?: number | null;
    issues?: ValidationIssue[];
    details?: Record<string, unknown>;
  } = {},
): ToolError {
  const details = { ...(extra.detail ? { detail: extra.detail } : {}), ...extra.details };
  return {
    code,
    message: messageFor(code, toolName, code === 'client_error' ? extra.detail : undefined),
    retryable: RETRYABLE_LATER.has(code),
    ...(typeof extra.httpStatus === 'number' ? { httpStatus: extra.httpStatus } : {}),
    ...(extra.issues ? { issues: extra.issues } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}
