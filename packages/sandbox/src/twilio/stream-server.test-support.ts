import type { IncomingMessage, ServerResponse } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { listenEmulator, type RunningServer } from '../http/listen.js';

export interface RecordedSocket {
  ws: WebSocket;
  upgrade: IncomingMessage;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number }>;
  /** Resolves with the first recorded message (past or future) that matches. */
  next(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export type TestRequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => void | Promise<void>;

/**
 * A tiny application for tests: HTTP requests go to `request` (404 without it); WebSocket upgrades
 * on `path` are accepted as Media Streams sockets that record every JSON message Twilio sends.
 */
export async function startStreamServer(
  options: {
    path?: string;
    request?: TestRequestHandler;
    /** Called as soon as a socket is accepted, before any message from it is handled. */
    onSocket?: (socket: RecordedSocket) => void;
  } = {},
): Promise<{
  server: RunningServer;
  url: string;
  sockets: RecordedSocket[];
  nextSocket(): Promise<RecordedSocket>;
  close(): Promise<void>;
}> {
  const path = options.path ?? '/media';
  const wss = new WebSocketServer({ noServer: true });
  const sockets: RecordedSocket[] = [];
  const waiters: ((s: RecordedSocket) => void)[] = [];
  let handed = 0;
  const server = await listenEmulator({
    request: async (req, res) => {
      if (!options.request) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      await options.request(req, res, Buffer.concat(chunks).toString('utf-8'));
    },
    upgrade: (req, socket, head) => {
      if (!req.url?.startsWith(path)) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const messages: Record<string, unknown>[] = [];
        const listeners = new Set<() => void>();
        ws.on('message', (data) => {
          messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
          for (const l of [...listeners]) l();
        });
        const closed = new Promise<{ code: number }>((resolve) =>
          ws.on('close', (code) => resolve({ code })),
        );
        const recorded: RecordedSocket = {
          ws,
          upgrade: req,
          messages,
          closed,
          next(match, timeoutMs = 5000) {
            const found = messages.find(match);
            if (found) return Promise.resolve(found);
            return new Promise((resolve, reject) => {
              const timer = setTimeout(() => {
                listeners.delete(check);
                reject(new Error('timed out waiting for a stream message'));
              }, timeoutMs);
              const check = () => {
                const m = messages.find(match);
                if (!m) return;
                clearTimeout(timer);
                listeners.delete(check);
                resolve(m);
              };
              listeners.add(check);
            });
          },
        };
        sockets.push(recorded);
        options.onSocket?.(recorded);
        const waiter = waiters.shift();
        if (waiter) {
          handed++;
          waiter(recorded);
        }
      });
    },
  });
  return {
    server,
    url: `${server.url.replace('http:', 'ws:')}${path}`,
    sockets,
    nextSocket: () => {
      const ready = sockets[handed];
      if (ready) {
        handed++;
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => {
        waiters.push(resolve);
      });
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await server.close();
    },
  };
}
