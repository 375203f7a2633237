import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BareCallResult } from './bare-calls.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface BareCalls {
  pid: number;
  /** Places n calls of `scenario` at once in the baseline process. */
  place(n: number, scenario: unknown): Promise<BareCallResult[]>;
  stop(): Promise<void>;
}

type Reply = { ready: true } | { id: number; results: BareCallResult[] } | { id: number; error: string };

/** Starts the bare-session baseline (`bare-calls.ts`) in its own process and waits until it is ready. */
export async function startBareCalls(): Promise<BareCalls> {
  // BENCH_BARE_NODE_ARGS: extra node flags for the baseline process (as BENCH_SERVER_NODE_ARGS).
  const nodeArgs = (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/support/bare-calls.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (r: BareCallResult[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (reply: Reply) => {
      if ('ready' in reply) return resolve();
      const request = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) request?.reject(new Error(reply.error));
      else request?.resolve(reply.results);
    });
    child.once('exit', (code) => {
      exited = new Error(`bare-session process exited with ${code}`);
      reject(exited);
      for (const request of pending.values()) request.reject(exited);
      pending.clear();
    });
  });
  await ready;
  return {
    pid: child.pid!,
    place(n, scenario) {
      if (exited) return Promise.reject(exited);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, calls: n, scenario });
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
