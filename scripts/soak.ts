import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.js';
import { startPlatform } from '../src/platform/platform.js';

/**
 * `npm run soak -- --minutes 10 [--concurrency 4] [--speed 1] [--database-url … --redis-url …]`:
 * runs the platform in this process (sandbox on, demo seeded, a fresh data directory) and keeps
 * `concurrency` sandbox calls going (book-appointment) through `POST /api/sandbox/calls` for the
 * given time. Every `--every` seconds it prints RSS, heap, event-loop delay (p50/p99/max), open
 * handles and the calls placed; at the end, the memory slope (least squares over the samples after
 * the first minute) in MB per minute and per call. Exit code 1 when a call failed.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    speed: { type: 'string', default: '1' },
    every: { type: 'string', default: '15' },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const concurrency = Number(values.concurrency);
const speed = Number(values.speed);
const everyMs = Number(values.every) * 1000;

const dataDir = mkdtempSync(join(tmpdir(), 'sb-soak-'));
const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  SANDBOX: 'on',
  SANDBOX_PORT: '0',
  LOG_LEVEL: 'warn',
  WORKER_MAX_CALLS: String(Math.max(20, concurrency * 2)),
  DATABASE_URL: values['database-url'] ?? '',
  REDIS_URL: values['redis-url'] ?? '',
});
const platform = await startPlatform(config, pino({ level: 'warn' }));
const url = platform.url;

const login = await fetch(`${url}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'admin@switchboard.local', password: 'demo-admin-password' }),
});
const auth = {
  cookie: login.headers.get('set-cookie')?.split(';')[0] ?? '',
  'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken,
};
const tenants = (await (await fetch(`${url}/api/tenants`, { headers: auth })).json()) as {
  items: { id: string; slug: string }[];
};
for (const t of tenants.items) {
  await fetch(`${url}/api/tenants/${t.id}`, {
    method: 'PATCH',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ maxConcurrentCalls: Math.max(10, concurrency * 2) }),
  });
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const started = Date.now();
const deadline = started + minutes * 60_000;
let placed = 0;
let failed = 0;
const failures: string[] = [];
const samples: { minute: number; rssMb: number; heapMb: number; calls: number }[] = [];

async function caller(): Promise<void> {
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/sandbox/calls`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+15005550006', scenario: 'book-appointment', speed }),
    }).catch((err: unknown) => ({ ok: false, status: 0, json: async () => ({ error: String(err) }) }));
    const body = (await res.json()) as { status?: string; problems?: string[] };
    placed++;
    if (!res.ok || body.status !== 'completed' || (body.problems?.length ?? 0) > 0) {
      failed++;
      if (failures.length < 5) failures.push(JSON.stringify(body).slice(0, 300));
    }
  }
}

const mb = (bytes: number) => bytes / 2 ** 20;
function sample(): void {
  const minute = (Date.now() - started) / 60_000;
  const memory = process.memoryUsage();
  const handles = process.getActiveResourcesInfo();
  const kinds = new Map<string, number>();
  for (const h of handles) kinds.set(h, (kinds.get(h) ?? 0) + 1);
  samples.push({ minute, rssMb: mb(memory.rss), heapMb: mb(memory.heapUsed), calls: placed });
  console.log(
    [
      `${minute.toFixed(1).padStart(5)} min`,
      `rss ${mb(memory.rss).toFixed(0)} MB`,
      `heap ${mb(memory.heapUsed).toFixed(0)} MB`,
      `loop p50 ${(loop.percentile(50) / 1e6).toFixed(1)} p99 ${(loop.percentile(99) / 1e6).toFixed(1)} max ${(loop.max / 1e6).toFixed(0)} ms`,
      `handles ${handles.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`,
      `calls ${placed} (${failed} failed)`,
    ].join(' · '),
  );
  loop.reset();
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}

console.log(
  `soak: ${minutes} min, ${concurrency} calls at a time at speed ${speed}, ${config.database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'} + ${config.store.kind === 'redis' ? 'Redis' : 'memory store'}, platform in this process (tsx)`,
);
sample();
const timer = setInterval(sample, everyMs);
await Promise.all(Array.from({ length: concurrency }, caller));
clearInterval(timer);
sample();

const steady = samples.filter((s) => s.minute >= Math.min(1, minutes / 3));
const rssPerMin = slope(steady.map((s) => ({ x: s.minute, y: s.rssMb })));
const heapPerMin = slope(steady.map((s) => ({ x: s.minute, y: s.heapMb })));
const heapPerCall = slope(steady.map((s) => ({ x: s.calls, y: s.heapMb })));
console.log(
  `memory slope after warm-up: rss ${rssPerMin.toFixed(2)} MB/min, heap ${heapPerMin.toFixed(2)} MB/min, heap ${(heapPerCall * 1024).toFixed(1)} KB per call; ${placed} calls, ${failed} failed`,
);
for (const f of failures) console.log(`failure: ${f}`);
await platform.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);
