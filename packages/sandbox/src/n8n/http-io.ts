import type { IncomingMessage, ServerResponse } from 'node:http';
import { isGone } from '../http/connection.js';

export { isGone, waitWhileConnected } from '../http/connection.js';

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too_large'> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buffer = Buffer.isBuffer(part) ? part : Buffer.from(String(part));
    size += buffer.length;
    if (size > maxBytes) return 'too_large';
    parts.push(buffer);
  }
  return Buffer.concat(parts);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Resolves when the client disconnects (or the emulator closes its sockets). */
export function untilClientGone(res: ServerResponse): Promise<void> {
  if (isGone(res)) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
