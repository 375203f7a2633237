import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDatabase } from './databases.js';
import type { Backend, BenchContext } from './figures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEMO_ADMIN = { email: 'admin@switchboard.local', password: 'demo-admin-password' };
let built = false;

/** Compiles `src/` to `dist/` once per run (`npm run build`): the benches run the compiled server. */
export function ensureBuild(log: (line: string) => void): void {
  if (built || (process.env.BENCH_BUILD === '0' && existsSync(join(root, 'dist/cli/main.js')))) return;
  const started = performance.now();
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
  log(`built dist/ in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

export interface BenchServer {
  url: string;
  pid: number;
  backend: Backend;
  /** Session cookie and CSRF header of the demo admin. */
  auth: Record<string, string>;
  /** The demo tenant answering `number`. */
  tenantId: string;
  number: string;
  /** The other demo tenant's number (Bright Plumbing). */
  otherNumber: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/cli/main.js start` (the compiled server, sandbox on, demo seeded) on a fresh data
 * directory (embedded) or a fresh PostgreSQL database and Redis (services), signs in as the demo
 * admin and waits until the demo calls placed at first start are done.
 */
export async function startBenchServer(
  bench: BenchContext,
  env: Record<string, string> = {},
  options: { sandbox?: boolean } = {},
): Promise<BenchServer> {
  const sandbox = options.sandbox ?? true;
  ensureBuild(bench.log);
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const db =
    bench.backend === 'services'
      ? await tempDatabase(bench.services.pgAdminUrl, 'sb_bench_calls')
      : undefined;
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/cli/main.js', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      SANDBOX_PORT: '0',
      DATABASE_URL: db?.url ?? '',
      REDIS_URL: bench.backend === 'services' ? bench.services.redisUrl : '',
      LOG_LEVEL: 'info',
      WORKER_MAX_CALLS: '500',
      SANDBOX: sandbox ? 'on' : 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // BENCH_SERVER_LOG=file keeps the server's whole output (e.g. with BENCH_SERVER_NODE_ARGS=--trace-gc).
  if (process.env.BENCH_SERVER_LOG) {
    const file = createWriteStream(process.env.BENCH_SERVER_LOG);
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(child, () => output, /Switchboard is up at (http:\/\/\S+)/, 180_000);
    const url = /Switchboard is up at (http:\/\/\S+)/.exec(output)![1]!.replace(/\/$/, '');
    const auth = await signIn(url);
    // The demo calls placed in the background at first start finish before anything is measured
    // (`start` logs at warn, so their progress is read from the API, not the output).
    if (sandbox) await demoCallsDone(url, auth, 180_000);
    const tenants = (await api(url, auth, 'GET', '/api/tenants')) as {
      items: { id: string; slug: string }[];
    };
    const tenant = tenants.items.find((t) => t.slug === 'acme-dental');
    if (!tenant) throw new Error('demo tenant acme-dental not found');
    for (const t of tenants.items)
      await api(url, auth, 'PATCH', `/api/tenants/${t.id}`, { maxConcurrentCalls: 1000 });
    return {
      url,
      pid: child.pid!,
      backend: bench.backend,
      auth,
      tenantId: tenant.id,
      number: '+15005550006',
      otherNumber: '+15005550007',
      output: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server output ---\n${output.slice(-4000)}`);
  }
}

function waitFor(child: ChildProcess, seen: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (pattern.test(seen())) done();
      else if (child.exitCode !== null) done(new Error(`server exited with ${child.exitCode}`));
    }, 100);
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern}`)), timeoutMs);
    const done = (err?: Error) => {
      clearInterval(check);
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
  });
}

/** The demo calls placed one after another at first start, each in a terminal status. */
const DEMO_CALLS = 4;

async function demoCallsDone(url: string, auth: Record<string, string>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const page = (await api(url, auth, 'GET', '/api/calls?limit=50')) as { items: { status: string }[] };
    const ended = page.items.filter((c) => c.status !== 'ringing' && c.status !== 'in_progress');
    if (ended.length >= DEMO_CALLS && ended.length === page.items.length) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the ${DEMO_CALLS} demo calls did not end within ${timeoutMs / 1000} s`);
}

async function signIn(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_ADMIN),
  });
  const body = (await res.json()) as { csrfToken?: string };
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return { cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '', 'x-csrf-token': body.csrfToken ?? '' };
}

export async function api(
  url: string,
  auth: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** CPU seconds (user + system) and resident memory of a process, from /proc (Linux). */
export function processStats(pid: number): { cpuS: number; rssMb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuS: ticks / 100, rssMb: rssKb / 1024 };
  } catch {
    return { cpuS: Number.NaN, rssMb: Number.NaN };
  }
}
