/** The closed set of error codes the API answers with, and the HTTP status each maps to. */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  CSRF_TOKEN_INVALID: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  TENANT_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  CALL_NOT_FOUND: 404,
  CURSOR_INVALID: 400,
  RECORDING_NOT_FOUND: 404,
  RANGE_NOT_SATISFIABLE: 416,
  SIGNED_URL_INVALID: 403,
  TIMEZONE_INVALID: 400,
  EMAIL_TAKEN: 409,
  SLUG_TAKEN: 409,
  AGENT_NOT_FOUND: 404,
  AGENT_VERSION_NOT_FOUND: 404,
  AGENT_VERSION_INVALID: 422,
  AGENT_IN_USE: 409,
  TOOL_NOT_FOUND: 404,
  TOOL_NAME_TAKEN: 409,
  TOOL_EXECUTION_NOT_FOUND: 404,
  TOOL_SCHEMA_INVALID: 400,
  PHONE_NUMBER_NOT_FOUND: 404,
  PHONE_NUMBER_TAKEN: 409,
  N8N_CONNECTION_NOT_FOUND: 404,
  N8N_CONNECTION_IN_USE: 409,
  N8N_CONNECTION_NAME_TAKEN: 409,
  N8N_API_KEY_MISSING: 409,
  N8N_KEY_REJECTED: 502,
  N8N_UNREACHABLE: 502,
  N8N_NOT_N8N: 502,
  OUTBOUND_URL_BLOCKED: 400,
  TWILIO_NOT_CONFIGURED: 409,
  TWILIO_UNAVAILABLE: 502,
  TWILIO_NUMBER_NOT_FOUND: 404,
  PASSWORD_TOKEN_INVALID: 400,
  SANDBOX_DISABLED: 409,
  LOGO_NOT_FOUND: 404,
  LOGO_TOO_LARGE: 413,
  LOGO_TYPE_UNSUPPORTED: 415,
  AGENT_TESTS_REQUIRED: 409,
  AGENT_TESTS_FAILED: 409,
  AGENT_TEST_CASE_NOT_FOUND: 404,
  AGENT_TEST_RUN_NOT_FOUND: 404,
  SERVICE_UNAVAILABLE: 503,
  LINES_BUSY: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = ERROR_CODES[code];
    this.headers = options?.headers;
  }
  readonly headers: Record<string, string> | undefined;
}

export const notFound = (code: ErrorCode, what: string) => new AppError(code, `${what} not found`);
