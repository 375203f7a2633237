import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface IpcChild<Ready, Request, Reply> {
  pid: number;
  /** What the child sent with `{ ready: … }` once it was up. */
  ready: Ready;
  request(message: Request): Promise<Reply>;
  stop(): Promise<void>;
}

type Message<Ready, Reply> = { ready: Ready } | { id: number; reply: Reply } | { id: number; error: string };

/**
 * Runs a bench helper (`node --import tsx <script>`, NODE_ENV=production) as a process of its own
 * with an IPC channel: it sends `{ ready }` when it is up, answers each `{ id, …request }` with
 * `{ id, reply }` or `{ id, error }`, and exits when the channel closes.
 * `nodeArgs`: extra node flags (e.g. from BENCH_LOAD_NODE_ARGS, to profile it).
 */
export async function startIpcChild<Ready, Request extends object, Reply>(
  script: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<IpcChild<Ready, Request, Reply>> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (message: Message<Ready, Reply>) => {
      if ('ready' in message) return resolve(message.ready);
      const request = pending.get(message.id);
      pending.delete(message.id);
      if ('error' in message) request?.reject(new Error(message.error));
      else request?.resolve(message.reply);
    });
    child.once('exit', (code) => {
      exited = new Error(`${script} exited with ${code}`);
      reject(exited);
      for (const request of pending.values()) request.reject(exited);
      pending.clear();
    });
  });
  return {
    pid: child.pid!,
    ready,
    request(message) {
      if (exited) return Promise.reject(exited);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ ...message, id });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The child's side: answers requests with `handle`, exits when the parent goes. */
export function serveIpc<Ready, Request, Reply>(
  ready: Ready,
  handle: (request: Request) => Promise<Reply>,
  close: () => Promise<void>,
): void {
  process.on('message', (message: Request & { id: number }) => {
    void handle(message).then(
      (reply) => process.send!({ id: message.id, reply }),
      (err: unknown) =>
        process.send!({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  process.send!({ ready });
}
