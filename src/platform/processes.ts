import cluster, { type Worker } from 'node:cluster';

/** A process that dies sooner than this after it started counts towards giving up. */
const QUICK_DEATH_MS = 10_000;
const QUICK_DEATHS_BEFORE_GIVING_UP = 3;

/**
 * The primary of `PROCESSES` > 1 (node:cluster): it serves nothing itself. It forks the first server
 * process alone, so one process migrates and seeds while no other races it, then the rest; they
 * share the port, and each runs its own calls. A process that dies is replaced (a call it ran is
 * failed by the reaper of a surviving one, as with separate instances); processes that keep dying at
 * start stop the whole server. SIGINT or SIGTERM drains every process and resolves the exit code.
 */
export function superviseProcesses(count: number, out: (line: string) => void): Promise<number> {
  const startedAt = new Map<number, number>();
  const listening = new Set<number>();
  let everListening = false;
  let quickDeaths = 0;
  let stopping = false;
  let exitCode = 0;
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());

  return new Promise((resolve) => {
    const fork = () => {
      // A replacement due after a stop began is not started.
      if (stopping) return;
      const worker = cluster.fork();
      startedAt.set(worker.id, Date.now());
      worker.once('listening', () => {
        listening.add(worker.id);
        if (!everListening) {
          everListening = true;
          for (let i = 1; i < count; i++) fork();
        }
        const up = alive().filter((w) => listening.has(w.id));
        if (up.length === count)
          out(`  ${count} server processes (pids ${up.map((w) => w.process.pid).join(', ')}) share the port`);
      });
    };
    const stop = (code: number) => {
      if (!stopping) exitCode = code;
      stopping = true;
      const running = alive();
      if (running.length === 0) resolve(exitCode);
      for (const worker of running) worker.process.kill('SIGTERM');
    };
    cluster.on('exit', (worker, code, signal) => {
      listening.delete(worker.id);
      if (stopping) {
        if (alive().length === 0) resolve(exitCode);
        return;
      }
      if (!everListening) {
        out(`the first server process exited (${signal ?? code}) before it served; stopping`);
        return stop(code || 1);
      }
      const livedMs = Date.now() - (startedAt.get(worker.id) ?? 0);
      quickDeaths = livedMs < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
      if (quickDeaths >= QUICK_DEATHS_BEFORE_GIVING_UP) {
        out(`server processes keep exiting at start (last: ${signal ?? code}); stopping`);
        return stop(1);
      }
      out(`server process ${worker.process.pid} exited (${signal ?? code}); starting another`);
      setTimeout(fork, quickDeaths * 1000);
    });
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    fork();
  });
}

/** True in a process that should print the start banner: a lone server, or the first of several. */
export function printsBanner(): boolean {
  return cluster.isPrimary || cluster.worker?.id === 1;
}
