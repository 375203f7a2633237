import type { FastifyReply, FastifyRequest } from 'fastify';

/** A server-sent event stream on a hijacked reply. */
export interface EventStream {
  send(event: string, data: unknown): void;
  /** Ends the response (the client sees the stream close). */
  close(): void;
  /** Called once, when the client goes away or close() ran. */
  onClose(fn: () => void): void;
}

const KEEPALIVE_MS = 15_000;

/** Takes the reply over for SSE: headers now, a comment every 15 s so proxies keep it open. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': request.id,
  });
  const closers: Array<() => void> = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    for (const fn of closers) fn();
  };
  const keepalive = setInterval(() => reply.raw.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  request.raw.on('close', finish);
  reply.raw.on('close', finish);
  return {
    send(event, data) {
      if (!closed) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (!closed) reply.raw.end();
      finish();
    },
    onClose(fn) {
      closers.push(fn);
    },
  };
}
