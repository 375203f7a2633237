import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  type Backend,
  type BenchContext,
  type BenchModule,
  commit,
  type Figure,
  figureTable,
  machine,
  toFigure,
} from './support/figures.js';

/**
 * `npm run bench [-- names…] [--skip a,b] [--embedded-only | --services-only]`: runs every `bench/*.bench.ts` (or those
 * whose file name starts with one of `names`), each on the backends it supports: the embedded default
 * and, when reachable, PostgreSQL + Redis. Prints one table and writes `bench/results/latest.json`.
 * `BENCH_SKIP=portal-queries` (or `--skip portal-queries`) leaves a bench out: the portal bench seeds
 * 1M calls the first time it runs on a machine.
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const skip = new Set(
  [
    ...(process.env.BENCH_SKIP ?? '').split(','),
    ...args.flatMap((a, i) => (a === '--skip' ? (args[i + 1] ?? '').split(',') : [])),
  ]
    .map((s) => s.trim().replace(/\.bench\.ts$/, ''))
    .filter(Boolean),
);
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--skip');
const embeddedOnly = args.includes('--embedded-only');
const servicesOnly = args.includes('--services-only');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .filter((file) => ![...skip].some((name) => file.startsWith(name)))
  .sort();

const services = {
  pgAdminUrl: process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

async function servicesReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: services.pgAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
  } catch (err) {
    return `PostgreSQL unreachable at ${services.pgAdminUrl} (${(err as Error).message})`;
  }
  const redis = new Redis(services.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    return `Redis unreachable at ${services.redisUrl} (${(err as Error).message})`;
  } finally {
    redis.disconnect();
  }
  return null;
}

const unreachable = embeddedOnly ? '--embedded-only' : await servicesReachable();
if (servicesOnly && unreachable) {
  console.error(`--services-only: ${unreachable}`);
  process.exit(2);
}
const available: Backend[] = unreachable
  ? ['embedded']
  : servicesOnly
    ? ['services']
    : ['embedded', 'services'];
if (unreachable) console.log(`services backend skipped: ${unreachable}`);
if (skip.size > 0) console.log(`skipped: ${[...skip].join(', ')}`);

const startedAt = new Date();
const figures: Figure[] = [];
const failures: { bench: string; backend: Backend; error: string }[] = [];
for (const file of files) {
  const bench = file.replace(/\.bench\.ts$/, '');
  const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as BenchModule;
  const backends = mod.backends ? mod.backends.filter((b) => available.includes(b)) : [available.at(-1)!];
  if (backends.length === 0) console.log(`\n# ${bench}: skipped (needs ${mod.backends?.join(' or ')})`);
  for (const backend of backends) {
    console.log(`\n# ${bench} (${backend})`);
    const started = performance.now();
    const ctx: BenchContext = {
      backend,
      services,
      report: (input) => {
        const figure = toFigure(input, bench, mod.backends ? backend : null);
        figures.push(figure);
        console.log(
          `  ${figure.name} = ${figure.value} ${figure.unit}${figure.baseline === null ? '' : ` (baseline ${figure.baseline}, ratio ${figure.ratio})`}`,
        );
      },
      log: (line) => console.log(`  ${line}`),
    };
    try {
      await mod.default(ctx);
    } catch (err) {
      console.log(`  FAILED: ${(err as Error).stack ?? String(err)}`);
      failures.push({ bench, backend, error: (err as Error).message });
    }
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

const result = {
  machine: machine(),
  commit: commit(),
  startedAt: startedAt.toISOString(),
  durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
  backends: available,
  skipped: [...skip],
  figures,
  failures,
};
console.log(`\n${figureTable(figures)}`);
console.log(
  `\n${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGb} GB, Node ${result.machine.node}; commit ${result.commit}; ${result.durationS} s`,
);
// A partial run (names given, or benches skipped) keeps the other benches' figures of the last run.
const path = `${dir}results/latest.json`;
mkdirSync(`${dir}results`, { recursive: true });
if (only.length > 0 || skip.size > 0) {
  try {
    const previous = JSON.parse(readFileSync(path, 'utf8')) as typeof result;
    const ran = new Set(figures.map((f) => f.bench));
    result.figures = [...previous.figures.filter((f) => !ran.has(f.bench)), ...figures];
  } catch {
    // No earlier run: this one stands alone.
  }
}
writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
console.log('wrote bench/results/latest.json');
if (failures.length > 0) process.exitCode = 1;
