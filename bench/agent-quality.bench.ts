import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.js';
import { DEMO_LOGINS } from '../src/control/seed-demo.js';
import { startPlatform } from '../src/platform/platform.js';

/**
 * Agent quality: the wall time of each case of the demo agent's shipped suite, run on its draft
 * through the whole stack (the platform as `npm start` builds it: sandbox, embedded PGlite, demo
 * seed), BENCH_ROUNDS runs (default 2). Post-call analysis is not built yet, so it has no cost line.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface RunDetail {
  status: string;
  results: { caseName: string; status: string; durationMs: number; latency: { maxMs?: number | null } }[];
}

export default async function agentQualityBench(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sb-bench-quality-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    SANDBOX: 'on',
    SANDBOX_PORT: '0',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
  });
  const platform = await startPlatform(config, pino({ level: 'silent' }));
  try {
    const admin = DEMO_LOGINS.find((l) => l.role === 'internal_admin')!;
    const login = await fetch(`${platform.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = {
      cookie: login.headers.get('set-cookie')!.split(';')[0]!,
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    };
    const get = async <T>(path: string) =>
      (await (await fetch(`${platform.url}${path}`, { headers })).json()) as T;
    const tenants = await get<{ items: { id: string; slug: string }[] }>('/api/tenants');
    const tenant = tenants.items.find((t) => t.slug === 'acme-dental')!;
    const agents = await get<{ items: { id: string }[] }>(`/api/tenants/${tenant.id}/agents`);
    const agentId = agents.items[0]!.id;

    const perCase = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const res = await fetch(`${platform.url}/api/tenants/${tenant.id}/agents/${agentId}/tests/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ version: 'draft', wait: true }),
      });
      const run = (await res.json()) as RunDetail;
      if (run.status !== 'passed') throw new Error(`the demo suite did not pass: ${JSON.stringify(run)}`);
      for (const result of run.results) {
        perCase.set(result.caseName, [...(perCase.get(result.caseName) ?? []), result.durationMs]);
      }
    }
    console.log(`agent quality: demo suite on the draft, ${ROUNDS} runs, calls at speed 2 (embedded PGlite)`);
    for (const [name, samples] of perCase) {
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      console.log(
        `  case "${name}": mean ${(mean / 1000).toFixed(2)} s, max ${(Math.max(...samples) / 1000).toFixed(2)} s per run`,
      );
    }
    console.log('  analysis cost per call: n/a (post-call analysis not built)');
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
