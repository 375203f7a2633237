import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface EmulatorHandlers {
  request(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface RunningServer {
  /** Base URL with no trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts one emulator on its own loopback port (0 = any free port). Open sockets are tracked so
 * that close() never waits on a keep-alive or WebSocket connection a client forgot to end.
 */
export async function listenEmulator(
  handlers: EmulatorHandlers,
  options: { host?: string; port?: number } = {},
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Duplex>();
  const server = createServer((req, res) => {
    Promise.resolve(handlers.request(req, res)).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: err instanceof Error ? err.message : String(err) } }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  if (handlers.upgrade) {
    const upgrade = handlers.upgrade;
    server.on('upgrade', (req, socket, head) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      upgrade(req, socket, head);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
