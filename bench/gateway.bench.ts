import { randomBytes } from 'node:crypto';
import { startN8nEmulator } from '@switchboard/sandbox';
import { pino } from 'pino';
import { openDatabase } from '../src/db/index.js';
import type { Deps } from '../src/deps/index.js';
import { createGateway } from '../src/gateway/gateway.js';
import { createTestTenant, insertConnection, insertTool } from '../src/gateway/gateway.test-support.js';
import { SecretBox } from '../src/lib/secrets.js';
import { MemoryStore } from '../src/store/index.js';
import { tempDatabase } from './support/databases.js';
import { type BenchContext, percentile } from './support/figures.js';

/**
 * The gateway's own cost per tool call: each round makes one direct HTTP call and one gateway
 * execution against the same emulator webhook on 127.0.0.1 (same fetch, same keep-alive pool).
 * The gateway side includes validation, the status writes (two transactions) and redaction. The
 * database is an in-memory PGlite (embedded) or a fresh PostgreSQL database (services).
 */
export const backends = ['embedded', 'services'] as const;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);
const WARMUP = 100;
const BUDGET_MS = Number(process.env.BENCH_SECONDS ?? 20) * 1000;

function summary(samples: number[]) {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

export default async function gatewayBench(bench: BenchContext): Promise<void> {
  const temp =
    bench.backend === 'services'
      ? await tempDatabase(bench.services.pgAdminUrl, 'sb_bench_gateway')
      : undefined;
  const databaseUrl = temp?.url;
  const database = await openDatabase(
    databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite-memory' },
  );
  await database.migrate();
  const deps: Deps = {
    db: database.db,
    store: new MemoryStore(),
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    crossTenantLog: () => {},
    secrets: SecretBox.fromKey(randomBytes(32)),
  };
  const n8n = await startN8nEmulator({ host: '127.0.0.1' });
  const secret = randomBytes(16).toString('hex');
  try {
    n8n.installWorkflow({
      path: 'bench-book',
      auth: { type: 'header', name: 'X-Hook-Token', value: secret },
      script: { otherwise: { type: 'json', body: { booked: true, slot: '18:00', ref: 'B-1042' } } },
    });
    const tenantId = await createTestTenant(deps);
    const connectionId = await insertConnection(deps, tenantId, {
      baseUrl: n8n.url,
      auth: { kind: 'header', name: 'X-Hook-Token', value: secret },
    });
    const tool = await insertTool(deps, tenantId, { webhookPath: 'bench-book', connectionId });
    const gateway = createGateway();
    const args = { name: 'Ada Lovelace', date: '2026-12-01', partySize: 2 };
    const url = `${n8n.url}/webhook/bench-book`;
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-hook-token': secret,
      'idempotency-key': 'bench',
    };
    const body = JSON.stringify({ args, context: { tenantId, callId: null, turn: null, tool: tool.name } });

    const direct = async () => {
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers, body });
      await response.json();
      if (!response.ok) throw new Error(`direct call answered ${response.status}`);
      return performance.now() - started;
    };
    const viaGateway = async () => {
      const started = performance.now();
      const outcome = await gateway.execute(deps, { tenantId, tool, arguments: args });
      if (!outcome.ok) throw new Error(`gateway call failed: ${outcome.error.code}`);
      return performance.now() - started;
    };

    for (let i = 0; i < WARMUP; i++) {
      await direct();
      await viaGateway();
    }
    const directSamples: number[] = [];
    const gatewaySamples: number[] = [];
    const overheads: number[] = [];
    const deadline = performance.now() + BUDGET_MS;
    for (let i = 0; i < ROUNDS && performance.now() < deadline; i++) {
      // Alternate which goes first so neither side always runs on a just-used connection.
      let directMs: number;
      let gatewayMs: number;
      if (i % 2 === 0) {
        directMs = await direct();
        gatewayMs = await viaGateway();
      } else {
        gatewayMs = await viaGateway();
        directMs = await direct();
      }
      directSamples.push(directMs);
      gatewaySamples.push(gatewayMs);
      overheads.push(gatewayMs - directMs);
    }

    const d = summary(directSamples);
    const g = summary(gatewaySamples);
    const o = summary(overheads);
    console.log(
      `rounds: ${directSamples.length} (after ${WARMUP} warm-up), emulator at ${n8n.url}, ${databaseUrl ? 'PostgreSQL' : 'PGlite in memory'}`,
    );
    console.log(`direct HTTP call     p50 ${ms(d.p50)}   p99 ${ms(d.p99)}`);
    console.log(`gateway execution    p50 ${ms(g.p50)}   p99 ${ms(g.p99)}`);
    console.log(
      `gateway overhead     p50 ${ms(o.p50)}   p99 ${ms(o.p99)}   (paired: gateway − direct per round)`,
    );
    console.log(
      `ratio gateway/direct p50 ${(g.p50 / d.p50).toFixed(2)}×   p99 ${(g.p99 / d.p99).toFixed(2)}×`,
    );
    const baselineName = 'direct HTTP call';
    bench.report({
      name: 'gateway_tool_call_p50_ms',
      value: g.p50,
      unit: 'ms',
      baseline: d.p50,
      baselineName,
    });
    bench.report({
      name: 'gateway_tool_call_p99_ms',
      value: g.p99,
      unit: 'ms',
      baseline: d.p99,
      baselineName,
    });
  } finally {
    await n8n.close();
    await database.close();
    await temp?.drop();
  }
}
