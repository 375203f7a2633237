import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { safeError } from '../lib/logger.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function validationDetails(
  err: FastifyError & { validation?: ValidationIssue[]; validationContext?: string },
) {
  return (err.validation ?? []).map((issue) => {
    const extra =
      issue.keyword === 'additionalProperties'
        ? `/${String(issue.params?.additionalProperty)}`
        : issue.keyword === 'required'
          ? `/${String(issue.params?.missingProperty)}`
          : '';
    const field = `${err.validationContext ?? 'body'}${issue.instancePath ?? ''}${extra}`;
    const message =
      issue.keyword === 'additionalProperties' ? 'is not a known field' : (issue.message ?? 'is invalid');
    return { field, message };
  });
}

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'INVALID_JSON',
    message: 'request body is empty but declared as JSON',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'VALIDATION_FAILED',
    message: 'content-length does not match the body',
  },
};

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  request.errorCode = code;
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, requestId: request.id, ...(details === undefined ? {} : { details }) } });
}

/**
 * Requests Fastify refuses before routing (a path parameter longer than `maxParamLength`, a URL that
 * does not decode) get the API's error shape, not Fastify's body echoing the path.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return send(reply, request, 414, 'URI_TOO_LONG', 'a path segment is too long');
  }
  return send(reply, request, 400, 'VALIDATION_FAILED', 'the request URL is not valid');
}

/**
 * Requests Node's HTTP parser refuses (malformed or oversized headers, a bad request line) never reach
 * Fastify; they get the error shape too, written straight to the socket, then the socket closes.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'VALIDATION_FAILED', 'the request took too long to arrive']
        : [400, 'Bad Request', 'VALIDATION_FAILED', 'the request is malformed'];
  const body = JSON.stringify({ error: { code, message, requestId: newId('request') } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** One error format for the whole API: `{ error: { code, message, requestId, details? } }`, never a stack. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return send(reply, request, err.status, err.code, err.message, err.details);
    }
    if (err.validation) {
      return send(reply, request, 400, 'VALIDATION_FAILED', 'request is invalid', validationDetails(err));
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return send(reply, request, err.statusCode ?? 400, known.code, known.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, request, err.statusCode, 'VALIDATION_FAILED', err.message);
    }
    request.log.error({ err: safeError(err) }, 'unhandled error');
    return send(reply, request, 500, 'INTERNAL', 'internal error');
  });
  const { maxParamLength } = app.initialConfig;
  app.setNotFoundHandler({}, (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A segment too long to be a parameter may land here rather than in frameworkErrors, when a
    // catch-all route (the web app's) matched the path instead; answer the same, without echoing it.
    if (maxParamLength !== undefined && path.split('/').some((segment) => segment.length > maxParamLength)) {
      return send(reply, request, 414, 'URI_TOO_LONG', 'a path segment is too long');
    }
    return send(reply, request, 404, 'ROUTE_NOT_FOUND', `no route for ${request.method} ${path}`);
  });
}
