/** The error body the real API answers: `{"error":{message,type,param,code}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error answer: status, body and any extra headers (e.g. `retry-after`). */
export interface OpenAIErrorAnswer {
  status: number;
  body: OpenAIErrorBody;
  headers?: Record<string, string>;
}

export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorAnswer {
  return { status: 400, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

export function missingApiKey(): OpenAIErrorAnswer {
  return {
    status: 401,
    body: {
      error: {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
  };
}

export function incorrectApiKey(apiKey: string): OpenAIErrorAnswer {
  return {
    status: 401,
    body: {
      error: {
        message: `Incorrect API key provided: ${maskKey(apiKey)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    },
  };
}

function maskKey(apiKey: string): string {
  if (apiKey.length <= 8) return `${apiKey.slice(0, 2)}***`;
  return `${apiKey.slice(0, 4)}${'*'.repeat(Math.min(apiKey.length - 8, 20))}${apiKey.slice(-4)}`;
}

export function modelNotFound(model: string): OpenAIErrorAnswer {
  return {
    status: 404,
    body: {
      error: {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    },
  };
}

export function invalidUrl(method: string, path: string): OpenAIErrorAnswer {
  return {
    status: 404,
    body: {
      error: {
        message: `Invalid URL (${method} ${path})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
  };
}

export function rateLimited(options: {
  kind: 'rate' | 'quota';
  model: string;
  retryAfterSeconds: number;
  retryAfterMs?: number | undefined;
}): OpenAIErrorAnswer {
  const headers: Record<string, string> = {
    'retry-after': String(options.retryAfterSeconds),
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': `${options.retryAfterSeconds}s`,
    'x-ratelimit-limit-tokens': '30000',
    'x-ratelimit-remaining-tokens': '0',
    'x-ratelimit-reset-tokens': `${options.retryAfterSeconds}s`,
  };
  if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = String(options.retryAfterMs);
  if (options.kind === 'quota') {
    return {
      status: 429,
      headers,
      body: {
        error: {
          message:
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    };
  }
  const waitMs = options.retryAfterMs ?? options.retryAfterSeconds * 1000;
  return {
    status: 429,
    headers,
    body: {
      error: {
        message: `Rate limit reached for ${options.model} in organization org-sandbox on requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in ${Math.round(waitMs)}ms. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
  };
}

export function serverError(status: 500 | 502 | 503): OpenAIErrorAnswer {
  return { status, body: serverErrorBody() };
}

export function serverErrorBody(): OpenAIErrorBody {
  return {
    error: {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    },
  };
}
