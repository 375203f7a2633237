import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Resolves true after `ms`, or false as soon as the client goes away. */
export function waitWhileConnected(res: ServerResponse, ms: number): Promise<boolean> {
  if (isGone(res)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

/** Resolves when the client disconnects (or the emulator closes its sockets). */
export function untilClientGone(res: ServerResponse): Promise<void> {
  if (isGone(res)) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

export function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
