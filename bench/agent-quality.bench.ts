import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.js';
import { DEMO_LOGINS } from '../src/control/seed-demo.js';
import { startPlatform } from '../src/platform/platform.js';
import type { BenchContext } from './support/figures.js';
import { round } from './support/figures.js';

/**
 * Agent quality: the wall time of each case of the demo agent's shipped suite, run on its draft
 * through the whole stack (the platform as `npm start` builds it: sandbox, embedded PGlite, demo
 * seed), BENCH_ROUNDS runs (default 2); then the post-call analysis cost of BENCH_ANALYSED_CALLS demo
 * calls (default 3), beside what the conversation itself cost (STT, LLM, TTS, telephony).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const ANALYSED_CALLS = Number(process.env.BENCH_ANALYSED_CALLS ?? 3);
const ANALYSIS_WAIT_MS = 60_000;

interface CallDetail {
  analysis: { status: string } | null;
  costs: { lines: { provider: string; metric: string; amountUsd: string }[] };
}

interface RunDetail {
  status: string;
  results: { caseName: string; status: string; durationMs: number; latency: { maxMs?: number | null } }[];
}

export const backends = ['embedded'] as const;

export default async function agentQualityBench(ctx: BenchContext): Promise<void> {
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
    ctx.log(`agent quality: demo suite on the draft, ${ROUNDS} runs, calls at speed 2 (embedded PGlite)`);
    const allCases: number[] = [];
    for (const [name, samples] of perCase) {
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      allCases.push(...samples);
      ctx.log(
        `  case "${name}": mean ${(mean / 1000).toFixed(2)} s, max ${(Math.max(...samples) / 1000).toFixed(2)} s per run`,
      );
    }
    ctx.report({
      name: 'agent_test_case_mean_s',
      value: round(allCases.reduce((a, b) => a + b, 0) / allCases.length / 1000, 3),
      unit: 's',
      note: `${perCase.size} cases × ${ROUNDS} runs, slowest ${(Math.max(...allCases) / 1000).toFixed(2)} s`,
    });

    // Post-call analysis: demo calls placed as a caller would, then their ledgers once analysed.
    const numbers = await get<{ items: { e164: string }[] }>(`/api/tenants/${tenant.id}/phone-numbers`);
    const to = numbers.items[0]!.e164;
    const analysisUsd: number[] = [];
    const conversationUsd: number[] = [];
    for (let i = 0; i < ANALYSED_CALLS; i++) {
      const placed = await fetch(`${platform.url}/api/sandbox/calls`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ to, scenario: 'book-appointment', speed: 4 }),
      });
      const { callId } = (await placed.json()) as { callId: string | null };
      if (!callId) throw new Error(`the demo call was not placed (${placed.status})`);
      const detail = await waitForAnalysis(() =>
        get<CallDetail>(`/api/tenants/${tenant.id}/calls/${callId}`),
      );
      const sum = (lines: CallDetail['costs']['lines']) => lines.reduce((a, l) => a + Number(l.amountUsd), 0);
      const analysisLines = detail.costs.lines.filter((l) => l.metric.startsWith('analysis_'));
      analysisUsd.push(sum(analysisLines));
      conversationUsd.push(sum(detail.costs.lines.filter((l) => !analysisLines.includes(l))));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Per 1,000 calls: a single call's analysis is a fraction of a cent.
    ctx.report({
      name: 'analysis_cost_per_1000_calls_usd',
      value: mean(analysisUsd) * 1000,
      unit: 'USD',
      baseline: mean(conversationUsd) * 1000,
      baselineName: "the calls' own cost (STT, LLM, TTS, telephony)",
      note: `${ANALYSED_CALLS} book-appointment demo calls at list prices; per call $${mean(analysisUsd).toFixed(6)}`,
    });
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The call detail once its analysis has settled (done, skipped or failed). */
async function waitForAnalysis(read: () => Promise<CallDetail>): Promise<CallDetail> {
  const deadline = Date.now() + ANALYSIS_WAIT_MS;
  for (;;) {
    const detail = await read();
    const status = detail.analysis?.status;
    if (status === 'done') return detail;
    if (status === 'failed' || status === 'skipped') throw new Error(`the call's analysis ${status}`);
    if (Date.now() > deadline) throw new Error(`no analysis within ${ANALYSIS_WAIT_MS / 1000} s (${status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
