import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BareCalls, startBareCalls } from './support/bare-calls-process.js';
import { type BenchContext, percentile } from './support/figures.js';
import { type BenchServer, processStats, startBenchServer } from './support/server.js';
import { startTimerProbe } from './support/timer-probe.js';

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
 *   exact, or a frame of its line went out more than a frame (20 ms) late beyond what an idle process
 *   on the machine suffered in the same window. CPU and RSS of the server process per call at the
 *   largest clean step (or the first step). The baseline, ramped the same way once per run: a bare
 *   `voice.AgentSession` per call over the same emulators (bench/support/bare-calls.ts).
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
/**
 * Calls of a step start spread over this window, not at one instant: N calls started together run
 * in lockstep (every greeting, answer and TTS burst at the same moment), a worst case no real
 * traffic makes. Each call lasts ~25 s, so all N are on the line together for most of it.
 */
const STAGGER_MS = Number(process.env.BENCH_CAPACITY_STAGGER_MS ?? 5000);
/** `BENCH_CAPACITY_BASELINE=0` leaves out the bare-session baseline ramp. */
const WITH_BASELINE = process.env.BENCH_CAPACITY_BASELINE !== '0';
const SINGLE_CALLS = 2;
/**
 * How late a frame may go out (beyond the idle process's stalls): one frame period, as the issue
 * asks. `BENCH_LATE_FRAME_MS=60` allows the emulated line's jitter buffer instead: with the
 * emulators in the server's heap every GC pause of the platform stalls the line too, which a real
 * Twilio line (another machine) would not feel, and the caller hears nothing below its buffer.
 */
const LATE_FRAME_MS = Number(process.env.BENCH_LATE_FRAME_MS ?? 20);

/** What the caller hears in the book-appointment scenario (its LLM rules read the tool result generically). */
const EXPECTED_AGENT = [
  'Hi, this is Acme Dental. How can I help you today?',
  'Let me check the calendar.',
  "You're booked. status: booked, day: Tuesday, May 14, time: 10:30 am, confirmation: AB12.",
  'Is there anything else I can do for you?',
  'Goodbye, see you Tuesday.',
];

interface TranscriptEntry {
  speaker: string;
  text: string;
  startMs: number;
  endMs: number;
}
interface CallResult {
  /** `completed` for a bare-session call the caller finished as scripted. */
  status: string | null;
  endReason: string | null;
  transcript: TranscriptEntry[];
  problems: string[];
  line?: { frames: number; maxLateMs: number };
}

function scenario() {
  const path = fileURLToPath(
    new URL('../packages/sandbox/src/scenarios/files/book-appointment.json', import.meta.url),
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

/**
 * Why a call is not clean, or null: it failed, the caller did not hear exactly the script, or a frame
 * of its line went out more than a frame period late beyond the machine's own timer stalls in the
 * same window (`machineStallMs`, an idle process beside it: 1–2 ms on a quiet machine, far more on a
 * shared one, where no process keeps 20 ms).
 */
function clean(result: CallResult, machineStallMs: number): string | null {
  if (result.status !== 'completed') return `status ${result.status} (${result.endReason})`;
  if (result.problems.length > 0) return `problems: ${result.problems.join('; ')}`;
  // The caller hears sentences: compare what it heard, in order, with what the agent said.
  const heard = result.transcript
    .filter((e) => e.speaker === 'agent')
    .map((e) => e.text)
    .join(' ')
    .toLowerCase();
  if (heard !== EXPECTED_AGENT.join(' ').toLowerCase()) return `transcript: ${heard}`;
  const late = result.line?.maxLateMs ?? 0;
  if (late > LATE_FRAME_MS + machineStallMs)
    return `a frame went out ${late.toFixed(0)} ms late (idle process: ${machineStallMs.toFixed(0)} ms)`;
  return null;
}

interface Step {
  n: number;
  problems: string[];
  gaps: { gapMs: number; floorMs: number }[];
  cpuPct: number;
  rssPerCallMb: number;
  maxLateMs: number;
  machineStallMs: number;
}

/**
 * Ramps concurrent calls through `STEPS` until a step is not clean; `placeOne()` places one call in
 * the process `pid`, whose CPU and RSS are sampled. Returns every step run.
 */
async function ramp(
  bench: BenchContext,
  label: string,
  pid: number,
  placeOne: () => Promise<CallResult>,
): Promise<Step[]> {
  const place = (n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * STAGGER_MS) / n));
        return placeOne();
      }),
    );
  const steps: Step[] = [];
  for (const n of STEPS) {
    const idle = processStats(pid);
    let peakRss = idle.rssMb;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, processStats(pid).rssMb);
    }, 250);
    const probe = startTimerProbe();
    const started = performance.now();
    const results = await place(n);
    const wallS = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const machineStallMs = await probe.stop();
    const after = processStats(pid);
    const problems = results.map((r) => clean(r, machineStallMs)).filter((p): p is string => p !== null);
    const step: Step = {
      n,
      problems,
      gaps: results.flatMap(turnGaps),
      cpuPct: ((after.cpuS - idle.cpuS) / wallS) * 100,
      rssPerCallMb: (peakRss - idle.rssMb) / n,
      maxLateMs: Math.max(...results.map((r) => r.line?.maxLateMs ?? 0)),
      machineStallMs,
    };
    steps.push(step);
    bench.log(
      `${label} N=${n}: ${n - problems.length}/${n} clean in ${wallS.toFixed(0)} s, CPU ${step.cpuPct.toFixed(0)} % of one core, RSS ${idle.rssMb.toFixed(0)} → ${peakRss.toFixed(0)} MB, worst frame ${step.maxLateMs.toFixed(0)} ms late (idle process ${machineStallMs.toFixed(0)} ms)${problems[0] ? `; first problem: ${problems[0].slice(0, 200)}` : ''}`,
    );
    if (problems.length > 0) break;
    // Let the process settle (finished calls' metrics, analysis, reaper) before the next step.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return steps;
}

const largestClean = (steps: Step[]) => steps.filter((s) => s.problems.length === 0).at(-1);

/** The bare-session ramp, measured once per run (it touches no backend) and shared by both passes. */
let baseline: Promise<Step[]> | undefined;

async function measureBaseline(bench: BenchContext, doc: unknown): Promise<Step[]> {
  const bare: BareCalls = await startBareCalls();
  try {
    await bare.place(1, doc);
    const steps = await ramp(bench, 'bare session', bare.pid, async () => {
      const [r] = await bare.place(1, doc);
      return {
        status: r?.ok ? 'completed' : 'failed',
        endReason: r?.failure ?? null,
        transcript: r?.transcript ?? [],
        problems: [],
        line: r?.line,
      };
    });
    return steps;
  } finally {
    await bare.stop();
  }
}

export default async function callsBench(bench: BenchContext): Promise<void> {
  const startedAt = performance.now();
  const doc = scenario();
  const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(0)} s`;
  if (WITH_BASELINE && !baseline) {
    baseline = measureBaseline(bench, doc);
    await baseline;
    bench.log(`${elapsed()} bare-session baseline measured`);
  }
  const server = await startBenchServer(bench);
  try {
    bench.log(
      `compiled server (node dist/cli/main.js start), pid ${server.pid}, ${server.backend}, up after ${elapsed()}`,
    );
    // Warm-up, then one call at a time.
    await placeCall(server, doc);
    const single: { gapMs: number; floorMs: number }[] = [];
    for (let i = 0; i < SINGLE_CALLS; i++) {
      const probe = startTimerProbe();
      const result = await placeCall(server, doc);
      const problem = clean(result, await probe.stop());
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
      `${elapsed()} N=1: turn gap p50 ${percentile(
        single.map((g) => g.gapMs),
        50,
      ).toFixed(0)} ms over a floor of ${floor} ms (${single.length} turns)`,
    );

    const steps = await ramp(bench, 'platform', server.pid, () => placeCall(server, doc));
    bench.log(`${elapsed()} ramp done`);
    const atLargest = largestClean(steps);
    const bareSteps = (await baseline) ?? [];
    const bareClean = largestClean(bareSteps);

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
      const note = `N=${atLargest.n}`;
      for (const p of [50, 95, 99])
        bench.report({
          name: `turn_overhead_at_capacity_p${p}_ms`,
          value: overhead(atLargest.gaps, p),
          unit: 'ms',
          baseline: floor,
          baselineName: 'floor',
          note,
        });
    }
    const machine = Math.max(...steps.map((s) => s.machineStallMs));
    const how = `compiled server (dist/), emulators in its process; steps ${STEPS.join(',')}, starts spread over ${STAGGER_MS / 1000} s; clean: frames ≤ ${LATE_FRAME_MS} ms late beyond an idle process's timer stalls (≤ ${machine.toFixed(0)} ms in this run)`;
    bench.report({
      name: 'capacity_clean_calls',
      value: atLargest?.n ?? 0,
      unit: 'calls',
      baseline: baseline ? (bareClean?.n ?? 0) : null,
      baselineName: 'bare AgentSession, no persistence',
      note: how,
    });
    // Per call at the largest clean step (or the first step, when none was clean: marked so).
    const at = atLargest ?? steps[0];
    // The baseline's step with as many calls (or the nearest below): per-call costs depend on N.
    const bare = bareSteps.filter((b) => at && b.n <= at.n).at(-1);
    if (at) {
      const note = `N=${at.n}${atLargest ? '' : ' (not clean)'}; bare session at N=${bare?.n ?? '–'}`;
      bench.report({
        name: 'cpu_per_call_pct',
        value: at.cpuPct / at.n,
        unit: '% core',
        baseline: bare ? bare.cpuPct / bare.n : null,
        baselineName: 'bare AgentSession',
        note,
      });
      bench.report({
        name: 'rss_per_call_mb',
        value: at.rssPerCallMb,
        unit: 'MB',
        baseline: bare?.rssPerCallMb ?? null,
        baselineName: 'bare AgentSession',
        note,
      });
    }
  } finally {
    await server.stop();
  }
}
