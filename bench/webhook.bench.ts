import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { Pool } from 'undici';
import { type BenchContext, percentile } from './support/figures.js';
import { startBenchServer } from './support/server.js';

/**
 * Twilio's signed voice webhook (`POST /twilio/voice`, a new CallSid each time, to the demo tenant's
 * number: resolve, admit, record the ringing call, answer TwiML) beside `GET /healthz` on the same
 * compiled server, from one HTTP client on 127.0.0.1 (undici, 16 keep-alive connections): the most
 * each answers in 5 s with 16 requests in flight, and p50/p99 latency at a fixed rate of half that.
 */
export const backends = ['embedded', 'services'] as const;

const AUTH_TOKEN = 'bench-twilio-auth-token';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const CONNECTIONS = 16;
const MAX_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 5);
/** Fixed rates as fractions of the most the webhook answered (PGlite answers far fewer than PostgreSQL). */
const LOADS = [0.5];
/** Webhooks per phase, under the 1000 ringing calls a demo tenant may hold (after 50 warm-up ones). */
const MAX_REQUESTS = 900;

export default async function webhookBench(bench: BenchContext): Promise<void> {
  const server = await startBenchServer(
    bench,
    {
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      // No call gets media here: the keys only satisfy the configuration.
      DEEPGRAM_API_KEY: 'bench-unused',
      OPENAI_API_KEY: 'bench-unused',
      RIME_API_KEY: 'bench-unused',
      WORKER_MAX_CALLS: '100000',
    },
    { sandbox: false },
  );
  const pool = new Pool(server.url, { connections: CONNECTIONS, pipelining: 1 });
  const voiceUrl = `${server.url}/twilio/voice`;
  const healthz = async () => {
    const res = await pool.request({ path: '/healthz', method: 'GET' });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`healthz answered ${res.statusCode}`);
  };
  // Every webhook admits a ringing call that never connects; each demo tenant takes 1000 at most
  // (the API's limit), so the phases stay under it: the first tenant for the closed loop, the other
  // for the fixed rate. Over the limit would measure refusals (which also compute KPIs) instead.
  let to = server.number;
  const webhook = async () => {
    const params = {
      AccountSid: ACCOUNT_SID,
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      From: '+14155550100',
      To: to,
      Direction: 'inbound',
      CallStatus: 'ringing',
    };
    const res = await pool.request({
      path: '/twilio/voice',
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, voiceUrl, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.includes('<Response>'))
      throw new Error(`webhook answered ${res.statusCode}: ${text.slice(0, 200)}`);
  };
  try {
    bench.log(
      `compiled server (node dist/cli/main.js start), pid ${server.pid}, ${server.backend}, sandbox off`,
    );
    for (let i = 0; i < 50; i++) await Promise.all([healthz(), webhook()]);
    const healthRps = await closedLoop(healthz, MAX_SECONDS, 20_000);
    const webhookRps = await closedLoop(webhook, MAX_SECONDS, MAX_REQUESTS);
    to = server.otherNumber;
    bench.log(
      `most answered with ${CONNECTIONS} in flight: healthz ${healthRps.toFixed(0)}/s, webhook ${webhookRps.toFixed(0)}/s`,
    );
    bench.report({
      name: 'webhook_rps',
      value: webhookRps,
      unit: 'req/s',
      baseline: healthRps,
      baselineName: 'GET /healthz',
    });
    bench.report({
      name: 'webhook_rps_ratio',
      value: webhookRps / healthRps,
      unit: '×',
      note: 'signed webhook / healthz',
    });
    for (const load of LOADS) {
      const rate = Math.max(5, Math.round(webhookRps * load));
      const seconds = Math.min(MAX_SECONDS, MAX_REQUESTS / rate);
      const h = await fixedRate(healthz, rate, seconds);
      const w = await fixedRate(webhook, rate, seconds);
      bench.log(
        `${rate}/s: healthz p50 ${percentile(h, 50).toFixed(2)} p99 ${percentile(h, 99).toFixed(2)} ms; webhook p50 ${percentile(w, 50).toFixed(2)} p99 ${percentile(w, 99).toFixed(2)} ms`,
      );
      const suffix = load === LOADS[0] ? '' : `_at_${load * 100}pct`;
      bench.report({
        name: `webhook_p99_ms${suffix}`,
        value: percentile(w, 99),
        unit: 'ms',
        baseline: percentile(h, 99),
        baselineName: 'GET /healthz p99, same rate',
        note: `${rate} req/s (${load * 100} % of the most answered)`,
      });
    }
  } finally {
    await pool.close();
    await server.stop();
  }
}

/** Requests answered per second with CONNECTIONS requests always in flight. */
async function closedLoop(send: () => Promise<void>, seconds: number, maxRequests: number): Promise<number> {
  let done = 0;
  let sent = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline && sent++ < maxRequests) {
        await send();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** Latencies (ms) of requests started at a fixed rate (open loop: a slow answer does not slow the sender). */
async function fixedRate(send: () => Promise<void>, rate: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = due;
    inFlight.push(send().then(() => void latencies.push(performance.now() - t0)));
  }
  await Promise.all(inFlight);
  return latencies;
}
