import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchContext, percentile } from './support/figures.js';
import { type BenchServer, processStats, startBenchServer } from './support/server.js';

/**
 * Calls through the compiled server (`dist/`, sandbox on, demo seeded), placed with
 * `POST /api/sandbox/calls` at real-time pace (speed 1): the book-appointment scenario with fixed,
 * realistic provider delays (below). The emulators run inside the server process, as the console's
 * test call does, so their share of the CPU counts against the platform.
 *
 * - Turn overhead: the caller's end of speech → the first agent audio the caller hears, per caller
 *   turn, against the floor: the sum of the configured delays (agent endpointing, the engine's
 *   endpointing delay, STT result delay, LLM first token, LLM tokens up to the first sentence end,
 *   TTS first byte). Measured with one call at a time and at the largest clean concurrency.
 * - Capacity: concurrent calls in steps until a step is not clean: a call fails, a transcript is not
 *   exact, or the line slipped more than a frame (20 ms) behind real time. CPU and RSS of the
 *   server process per call at the largest clean step.
 */
export const backends = ['embedded', 'services'] as const;

const DELAYS = {
  /** The demo agent's `stt.endpointingMs` and the engine's `endpointingDelayMs` (its default). */
  endpointingMs: 300,
  engineEndpointingDelayMs: 100,
  sttResultDelayMs: 50,
  llmFirstTokenMs: 250,
  /** 50 tokens/s (one word per chunk in the emulator). */
  llmChunkDelayMs: 20,
  ttsFirstByteMs: 120,
};
const STEPS = (process.env.BENCH_CAPACITY_STEPS ?? '10,20,30,40,50,60').split(',').map(Number);
const SINGLE_CALLS = 2;
const FRAME_MS = 20;

const EXPECTED_AGENT = [
  'Hi, this is Acme Dental. How can I help you today?',
  'Let me check the calendar.',
  "You're booked for Tuesday, May 14 at 10:30 am. Your confirmation number is AB12.",
  'Goodbye, see you Tuesday.',
];

interface TranscriptEntry {
  speaker: string;
  text: string;
  startMs: number;
  endMs: number;
}
interface CallResult {
  status: string | null;
  endReason: string | null;
  transcript: TranscriptEntry[];
  problems: string[];
  line?: { frames: number; maxLateMs: number };
}

function scenario() {
  const path = fileURLToPath(
    new URL('../src/sandbox/scenarios/files/book-appointment.json', import.meta.url),
  );
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return {
    ...doc,
    name: 'bench-book-appointment',
    faults: {
      deepgram: { resultDelayMs: DELAYS.sttResultDelayMs },
      llm: { firstTokenDelayMs: DELAYS.llmFirstTokenMs, chunkDelayMs: DELAYS.llmChunkDelayMs },
      rime: { firstByteDelayMs: DELAYS.ttsFirstByteMs },
    },
  };
}

/** The configured delays before the caller can hear the first sentence of `reply`. */
function floorMs(reply: string): number {
  const firstSentence = /^[^.!?]*[.!?]/.exec(reply)?.[0] ?? reply;
  const words = firstSentence.trim().split(/\s+/).length;
  return (
    DELAYS.endpointingMs +
    DELAYS.engineEndpointingDelayMs +
    DELAYS.sttResultDelayMs +
    DELAYS.llmFirstTokenMs +
    words * DELAYS.llmChunkDelayMs +
    DELAYS.ttsFirstByteMs
  );
}

async function placeCall(server: BenchServer, doc: unknown): Promise<CallResult> {
  const res = await fetch(`${server.url}/api/sandbox/calls`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ to: server.number, scenario: doc, speed: 1 }),
  });
  const body = (await res.json()) as CallResult & { error?: { code: string; message: string } };
  if (!res.ok) {
    return {
      status: null,
      endReason: body.error?.code ?? String(res.status),
      transcript: [],
      problems: [body.error?.message ?? 'failed'],
    };
  }
  return body;
}

/** Caller end of speech → first agent audio, and the floor for each such turn. */
function turnGaps(result: CallResult): { gapMs: number; floorMs: number }[] {
  const gaps: { gapMs: number; floorMs: number }[] = [];
  const t = result.transcript;
  for (let i = 1; i < t.length; i++) {
    const prev = t[i - 1]!;
    const cur = t[i]!;
    if (prev.speaker === 'caller' && cur.speaker === 'agent')
      gaps.push({ gapMs: cur.startMs - prev.endMs, floorMs: floorMs(cur.text) });
  }
  return gaps;
}

function clean(result: CallResult): string | null {
  if (result.status !== 'completed') return `status ${result.status} (${result.endReason})`;
  if (result.problems.length > 0) return `problems: ${result.problems.join('; ')}`;
  // The caller hears sentences: compare what it heard, in order, with what the agent said.
  const heard = result.transcript
    .filter((e) => e.speaker === 'agent')
    .map((e) => e.text)
    .join(' ')
    .toLowerCase();
  if (heard !== EXPECTED_AGENT.join(' ').toLowerCase()) return `transcript: ${heard}`;
  if ((result.line?.maxLateMs ?? 0) > FRAME_MS) return `line ${result.line?.maxLateMs} ms behind real time`;
  return null;
}

export default async function callsBench(bench: BenchContext): Promise<void> {
  const server = await startBenchServer(bench);
  const doc = scenario();
  try {
    bench.log(`compiled server (node dist/cli/main.js start), pid ${server.pid}, ${server.backend}`);
    // Warm-up, then one call at a time.
    await placeCall(server, doc);
    const single: { gapMs: number; floorMs: number }[] = [];
    for (let i = 0; i < SINGLE_CALLS; i++) {
      const result = await placeCall(server, doc);
      const problem = clean(result);
      if (problem) bench.log(`single call not clean: ${problem}`);
      single.push(...turnGaps(result));
    }
    const overhead = (gaps: { gapMs: number; floorMs: number }[], p: number) =>
      percentile(
        gaps.map((g) => g.gapMs - g.floorMs),
        p,
      );
    const floor = percentile(
      single.map((g) => g.floorMs),
      50,
    );
    bench.log(
      `N=1: turn gap p50 ${percentile(
        single.map((g) => g.gapMs),
        50,
      ).toFixed(0)} ms over a floor of ${floor} ms (${single.length} turns)`,
    );

    let largestClean = 0;
    let atLargest:
      | { gaps: { gapMs: number; floorMs: number }[]; cpuPct: number; rssPerCallMb: number }
      | undefined;
    for (const n of STEPS) {
      const idle = processStats(server.pid);
      let peakRss = idle.rssMb;
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, processStats(server.pid).rssMb);
      }, 250);
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: n }, () => placeCall(server, doc)));
      const wallS = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const after = processStats(server.pid);
      const problems = results.map(clean).filter((p): p is string => p !== null);
      const cpuPct = ((after.cpuS - idle.cpuS) / wallS) * 100;
      const maxLate = Math.max(...results.map((r) => r.line?.maxLateMs ?? 0));
      bench.log(
        `N=${n}: ${n - problems.length}/${n} clean, server CPU ${cpuPct.toFixed(0)} % of one core, RSS ${idle.rssMb.toFixed(0)} → ${peakRss.toFixed(0)} MB, worst line lag ${maxLate.toFixed(0)} ms${problems[0] ? `; first problem: ${problems[0].slice(0, 200)}` : ''}`,
      );
      if (problems.length > 0) break;
      largestClean = n;
      atLargest = { gaps: results.flatMap(turnGaps), cpuPct, rssPerCallMb: (peakRss - idle.rssMb) / n };
      // Let the server settle (finished calls' metrics, reaper) before the next step.
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }

    bench.report({
      name: 'turn_overhead_p50_ms',
      value: overhead(single, 50),
      unit: 'ms',
      baseline: floor,
      baselineName: 'floor: configured delays',
      note: 'N=1',
    });
    bench.report({
      name: 'turn_overhead_p99_ms',
      value: overhead(single, 99),
      unit: 'ms',
      baseline: floor,
      baselineName: 'floor: configured delays',
      note: 'N=1',
    });
    if (atLargest) {
      const note = `N=${largestClean}`;
      bench.report({
        name: 'turn_overhead_at_capacity_p50_ms',
        value: overhead(atLargest.gaps, 50),
        unit: 'ms',
        baseline: floor,
        baselineName: 'floor',
        note,
      });
      bench.report({
        name: 'turn_overhead_at_capacity_p95_ms',
        value: overhead(atLargest.gaps, 95),
        unit: 'ms',
        baseline: floor,
        baselineName: 'floor',
        note,
      });
      bench.report({
        name: 'turn_overhead_at_capacity_p99_ms',
        value: overhead(atLargest.gaps, 99),
        unit: 'ms',
        baseline: floor,
        baselineName: 'floor',
        note,
      });
    }
    bench.report({
      name: 'capacity_clean_calls',
      value: largestClean,
      unit: 'calls',
      note: `steps ${STEPS.join(',')}; emulators in the server process`,
    });
    if (atLargest) {
      bench.report({
        name: 'cpu_per_call_pct',
        value: atLargest.cpuPct / largestClean,
        unit: '% core',
        note: `N=${largestClean}`,
      });
      bench.report({
        name: 'rss_per_call_mb',
        value: atLargest.rssPerCallMb,
        unit: 'MB',
        note: `N=${largestClean}`,
      });
    }
  } finally {
    await server.stop();
  }
}
