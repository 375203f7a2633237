import { spawn } from 'node:child_process';

/** Wakes every 10 ms and remembers how late its timer fired at worst; answers that on request. */
const PROBE = `
let worst = 0;
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  worst = Math.max(worst, now - last - 10);
  last = now;
}, 10);
process.on('message', () => process.send(worst, () => process.exit(0)));
`;

/**
 * An idle process beside the one measured: the worst stall of its 10 ms timer over the same window
 * is the machine's own scheduling noise (other processes on a shared machine), which no process on
 * it can beat. A figure that passes it is the measured process's doing.
 */
export function startTimerProbe(): { stop(): Promise<number> } {
  const child = spawn(process.execPath, ['-e', PROBE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    stop: () =>
      new Promise<number>((resolve, reject) => {
        child.once('message', (worst) => resolve(Number(worst)));
        child.once('exit', (code) => reject(new Error(`timer probe exited with ${code}`)));
        child.send('stop');
      }),
  };
}
