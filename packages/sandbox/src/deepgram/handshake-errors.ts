import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HandshakeError {
  status: number;
  errCode: string;
  errMsg: string;
}

export const invalidAuth: HandshakeError = {
  status: 401,
  errCode: 'INVALID_AUTH',
  errMsg: 'Invalid credentials.',
};

export function badRequest(message: string): HandshakeError {
  return { status: 400, errCode: 'Bad Request', errMsg: message };
}

export function upgradeFault(status: 402 | 429 | 500 | 503): HandshakeError {
  switch (status) {
    case 402:
      return { status, errCode: 'ASR_PAYMENT_REQUIRED', errMsg: 'Project does not have enough credits.' };
    case 429:
      return { status, errCode: 'TOO_MANY_REQUESTS', errMsg: 'Too many requests. Please try again later.' };
    default:
      return { status, errCode: 'INTERNAL_SERVER_ERROR', errMsg: 'Internal server error.' };
  }
}

/**
 * Answers a WebSocket upgrade with an HTTP error instead of 101, as Deepgram does: JSON body
 * `{err_code, err_msg, request_id}` plus `dg-request-id` and `dg-error` headers.
 */
export function rejectUpgrade(socket: Duplex, error: HandshakeError, requestId: string): void {
  const body = JSON.stringify({ err_code: error.errCode, err_msg: error.errMsg, request_id: requestId });
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `dg-request-id: ${requestId}`,
    `dg-error: ${error.errMsg}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
