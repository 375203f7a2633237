import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { demoBookingTool } from '../src/control/seed-demo.js';
import { freePort } from '../test/faults/free-port.js';
import type { BareReady } from './support/bare-calls.js';
import type { LoadCallResult, LoadReady, LoadRequest } from './support/call-load.js';
import { type Backend, type BenchContext, percentile } from './support/figures.js';
import { type IpcChild, startIpcChild } from './support/ipc-child.js';
import { api, type BenchServer, processStats, startBenchServer } from './support/server.js';

/**
 * Real-time sandbox calls (speed 1, the book-appointment scenario with fixed, realistic provider
 * delays, below) against the compiled server (`node dist/cli/main.js start`). The far end runs in a
 * process of its own (support/call-load.ts): the Twilio, Deepgram, OpenAI, Rime and n8n emulators and
 * the simulated callers, reached by URL as the real providers are, so the server's processes carry
 * only the platform. Calls come in through the signed webhook, as Twilio places them.
 *
 * - Turn overhead: the caller's end of speech → the first agent audio the caller hears, per caller
 *   turn, against the floor: the sum of the configured delays (agent endpointing, the engine's
 *   endpointing delay, STT result delay, LLM first token, LLM tokens up to the first sentence end,
 *   TTS first byte, the line's jitter buffer), over every turn of the largest clean step.
 * - Capacity: concurrent calls in steps until a step is not clean: a call fails or is refused, what
 *   the caller heard is not exactly the script, the call's row is not `completed`, or the agent's
 *   audio reached the line more than one frame (20 ms) late: a hole inside an utterance as the
 *   caller hears it (`agentAudioGaps`). The server sends up to 500 ms ahead of what Twilio confirmed
 *   played, so a hole means the platform stalled past that.
 *   On PostgreSQL + Redis the server runs `PROCESSES` = the machine's cores; the embedded default is
 *   one process. CPU and RSS of the server's processes per call at the largest clean step.
 *   The baseline, ramped the same way against the same far end: a bare `voice.AgentSession` per
 *   call (support/bare-calls.ts), in as many processes as the server.
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
  /** The emulated line's jitter buffer (its default): agent audio plays once this much has arrived. */
  lineJitterBufferMs: 60,
};
/**
 * Concurrent calls per step, per backend (`BENCH_CAPACITY_STEPS` overrides both): the embedded
 * default is one process (one step: what it is sized for), PostgreSQL + Redis one per core, up to
 * the target and past it. Each step lasts ~32 s, and the whole bench must stay under 15 minutes.
 */
const STEPS: Record<Backend, number[]> = {
  embedded: (process.env.BENCH_CAPACITY_STEPS ?? '20').split(',').map(Number),
  services: (process.env.BENCH_CAPACITY_STEPS ?? '40,50,60').split(',').map(Number),
};
/**
 * Calls of a step start spread over this window, not at one instant: N calls started together run
 * in lockstep (every greeting, answer and TTS burst at the same moment), a worst case no real
 * traffic makes. Each call lasts ~25 s, so all N are on the line together for most of it.
 */
const STAGGER_MS = Number(process.env.BENCH_CAPACITY_STAGGER_MS ?? 5000);
/** `BENCH_CAPACITY_BASELINE=0` leaves out the bare-session baseline ramp. */
const WITH_BASELINE = process.env.BENCH_CAPACITY_BASELINE !== '0';
/** Server processes on PostgreSQL + Redis (`BENCH_PROCESSES`; default: one per core). */
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? availableParallelism());
/** The longest hole in the agent's speech a clean call may have: one frame. */
const LATE_FRAME_MS = Number(process.env.BENCH_LATE_FRAME_MS ?? 20);
const CALLER = '+14155550100';
/** Calls placed (and not measured) before a ramp's first step. */
const WARM_UP_CALLS = 10;

/** What the caller hears in the book-appointment scenario (its LLM rules read the tool result generically). */
const EXPECTED_AGENT = [
  'Hi, this is Acme Dental. How can I help you today?',
  'Let me check the calendar.',
  "You're booked. status: booked, day: Tuesday, May 14, time: 10:30 am, confirmation: AB12.",
  'Is there anything else I can do for you?',
  'Goodbye, see you Tuesday.',
];

const nodeArgs = (name: string) => (process.env[name] ?? '').split(' ').filter(Boolean);

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
    DELAYS.ttsFirstByteMs +
    DELAYS.lineJitterBufferMs
  );
}

interface Gap {
  gapMs: number;
  floorMs: number;
}

/** Caller end of speech → first agent audio, and the floor for each such turn. */
function turnGaps(result: LoadCallResult): Gap[] {
  const gaps: Gap[] = [];
  const t = result.transcript;
  for (let i = 1; i < t.length; i++) {
    const prev = t[i - 1]!;
    const cur = t[i]!;
    if (prev.speaker === 'caller' && cur.speaker === 'agent')
      gaps.push({ gapMs: cur.startMs - prev.endMs, floorMs: floorMs(cur.text) });
  }
  return gaps;
}

/** Why a call is not clean as the caller heard it, or null. */
function heardProblem(result: LoadCallResult): string | null {
  if (!result.connected) return 'refused';
  if (!result.ok) return `caller: ${result.failure}`;
  // The caller hears sentences: compare what it heard, in order, with what the agent said.
  const heard = result.transcript
    .filter((e) => e.speaker === 'agent')
    .map((e) => e.text)
    .join(' ')
    .toLowerCase();
  if (heard !== EXPECTED_AGENT.join(' ').toLowerCase()) return `transcript: ${heard}`;
  const gaps = result.agentAudioGaps;
  if (gaps.longestMs > LATE_FRAME_MS)
    return `${gaps.count} hole(s) in the agent's speech, the longest ${gaps.longestMs.toFixed(0)} ms`;
  return null;
}

interface Step {
  n: number;
  problems: string[];
  gaps: Gap[];
  cpuPct: number;
  rssPerCallMb: number;
  /** The far end's own worst timer stall on a line (how far behind the load generator fell). */
  loadLateMs: number;
  /** The answering side's worst event-loop stall over the step, when it reports one. */
  stallMs: number | undefined;
  loadCpuPct: number;
}

/** CPU seconds and RSS of a process and all its descendants (a cluster's primary and workers). */
function treeStats(root: number): { cpuS: number; rssMb: number } {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  const total = { cpuS: 0, rssMb: 0 };
  for (const pid of tree) {
    const s = processStats(pid);
    if (Number.isFinite(s.cpuS)) {
      total.cpuS += s.cpuS;
      total.rssMb += s.rssMb;
    }
  }
  return total;
}

/** `n` calls whose starts are spread over `STAGGER_MS`. */
function placeStaggered(n: number, placeOne: () => Promise<LoadCallResult>): Promise<LoadCallResult[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * STAGGER_MS) / n));
      return placeOne();
    }),
  );
}

type Load = IpcChild<LoadReady, LoadRequest, LoadCallResult | null>;

/**
 * Ramps concurrent calls through `STEPS` until a step is not clean; `placeOne()` places one call
 * answered by the process tree under `pid`, whose CPU and RSS are sampled; `check(results)` adds
 * problems only the answering side can see.
 */
async function ramp(
  bench: BenchContext,
  stepSizes: number[],
  label: string,
  pid: number,
  load: Load,
  placeOne: () => Promise<LoadCallResult>,
  answering: {
    /** Problems only the answering side can see. */
    check?: (results: LoadCallResult[]) => Promise<string[]>;
    /** Its worst event-loop stall since the previous call, ms. */
    worstStall?: () => Promise<number>;
    /** Place `WARM_UP_CALLS` unmeasured calls first (a server's pools and caches fill on first use). */
    warmUp?: boolean;
  } = {},
): Promise<Step[]> {
  const place = (n: number) => placeStaggered(n, placeOne);
  if (answering.warmUp) {
    // A first round, not measured: a cold server (JIT, pools, caches) is not what a ramp compares.
    const warm = await place(WARM_UP_CALLS);
    bench.log(
      `${label}: warm-up ${warm.filter((r) => heardProblem(r) === null).length}/${WARM_UP_CALLS} clean`,
    );
  }
  const steps: Step[] = [];
  for (const n of stepSizes) {
    await answering.worstStall?.();
    const idle = treeStats(pid);
    const loadIdle = processStats(load.pid);
    let peakRss = idle.rssMb;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, treeStats(pid).rssMb);
    }, 500);
    const started = performance.now();
    const results = await place(n);
    const wallS = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = treeStats(pid);
    const loadAfter = processStats(load.pid);
    const stallMs = await answering.worstStall?.();
    const problems = [
      ...results.map(heardProblem).filter((p): p is string => p !== null),
      ...((await answering.check?.(results)) ?? []),
    ];
    const step: Step = {
      n,
      problems,
      gaps: results.flatMap(turnGaps),
      cpuPct: ((after.cpuS - idle.cpuS) / wallS) * 100,
      rssPerCallMb: (peakRss - idle.rssMb) / n,
      loadLateMs: Math.max(...results.map((r) => r.lineLateMs)),
      loadCpuPct: ((loadAfter.cpuS - loadIdle.cpuS) / wallS) * 100,
      stallMs,
    };
    steps.push(step);
    const holes = Math.max(...results.map((r) => r.agentAudioGaps.longestMs));
    bench.log(
      `${label} N=${n}: ${n - problems.length}/${n} clean in ${wallS.toFixed(0)} s, CPU ${step.cpuPct.toFixed(0)} % of one core (far end ${step.loadCpuPct.toFixed(0)} %), RSS ${idle.rssMb.toFixed(0)} → ${peakRss.toFixed(0)} MB, longest hole in agent speech ${holes.toFixed(0)} ms${stallMs === undefined ? '' : `, server's worst event-loop stall ${stallMs.toFixed(0)} ms`}, far end's worst stall ${step.loadLateMs.toFixed(0)} ms${problems[0] ? `; first problem: ${problems[0].slice(0, 200)}` : ''}`,
    );
    if (problems.length > 0) break;
    // Let the processes settle (finished calls' metrics, analysis, reaper) before the next step.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return steps;
}

const largestClean = (steps: Step[]) => steps.filter((s) => s.problems.length === 0).at(-1);

/**
 * The bare-session ramp, measured once per run and process count (it touches no backend), in as
 * many processes as the platform's pass that needs it, over the same steps.
 */
const baselines = new Map<number, Promise<Step[]>>();

function measureBaseline(bench: BenchContext, load: Load, processes: number): Promise<Step[]> {
  let measured = baselines.get(processes);
  if (!measured) {
    measured = (async () => {
      const bare = await startIpcChild<BareReady, never, never>(
        'bench/support/bare-calls.ts',
        { ...load.ready.env, BARE_BOOKING_URL: load.ready.bookingUrl, BARE_PROCESSES: String(processes) },
        nodeArgs('BENCH_BARE_NODE_ARGS'),
      );
      const dial = () =>
        load.request({ dial: { to: { mediaUrl: bare.ready.mediaUrl } } }) as Promise<LoadCallResult>;
      try {
        return await ramp(
          bench,
          STEPS[bench.backend],
          `bare session (${processes} process(es))`,
          bare.pid,
          load,
          dial,
        );
      } finally {
        await bare.stop();
      }
    })();
    baselines.set(processes, measured);
  }
  return measured;
}

/**
 * With the sandbox off nothing binds the demo agent to n8n: its booking tool is set up here, on the
 * far end's n8n emulator, as an operator would (connection, tool, publish).
 */
async function bindBookingTool(server: BenchServer, n8nUrl: string): Promise<void> {
  const base = `/api/tenants/${server.tenantId}`;
  const connection = (await api(server.url, server.auth, 'POST', `${base}/n8n-connections`, {
    name: 'Bench n8n',
    baseUrl: n8nUrl,
  })) as { id: string };
  const tool = (await api(
    server.url,
    server.auth,
    'POST',
    `${base}/tools`,
    demoBookingTool(connection.id),
  )) as {
    id: string;
  };
  const agents = (await api(server.url, server.auth, 'GET', `${base}/agents`)) as { items: { id: string }[] };
  const agent = agents.items[0]!.id;
  await api(server.url, server.auth, 'PATCH', `${base}/agents/${agent}`, { draft: { toolIds: [tool.id] } });
  await api(server.url, server.auth, 'POST', `${base}/agents/${agent}/versions`, {
    note: 'bench: booking tool on the far end',
    override: { reason: 'bench set-up, no test run' },
  });
}

/**
 * The newest `n` calls' rows (the step's: nothing else places calls meanwhile) that are not
 * `completed`, once none is still ringing or in progress (the end is recorded just after hang-up).
 */
async function unfinishedRows(server: BenchServer, n: number): Promise<string[]> {
  type Row = { id: string; status: string; endReason: string | null };
  for (let attempt = 0; ; attempt++) {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const page = (await api(
        server.url,
        server.auth,
        'GET',
        `/api/tenants/${server.tenantId}/calls?limit=${Math.min(100, n - rows.length)}${cursor ? `&cursor=${cursor}` : ''}`,
      )) as { items: Row[]; nextCursor: string | null };
      rows.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && rows.length < n);
    const live = rows.some((r) => r.status === 'ringing' || r.status === 'in_progress');
    if (!live || attempt >= 20)
      return rows
        .filter((r) => r.status !== 'completed')
        .map((r) => `call ${r.id} ended ${r.status} (${r.endReason})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The server's worst event-loop stall since the previous scrape (`/metrics` restarts its window at
 * each scrape). The cluster hands each new connection to the next process, so a few scrapes per
 * process on fresh connections reach them all.
 */
async function worstStall(server: BenchServer, processes: number): Promise<number> {
  let worst = 0;
  for (let i = 0; i < processes * 3; i++) {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { connection: 'close' } })).text();
    const max = /switchboard_event_loop_delay_seconds\{quantile="1"\} (\S+)/.exec(text)?.[1];
    worst = Math.max(worst, Number(max ?? 0) * 1000);
  }
  return worst;
}

export default async function callsBench(bench: BenchContext): Promise<void> {
  const startedAt = performance.now();
  const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(0)} s`;
  const load: Load = await startIpcChild(
    'bench/support/call-load.ts',
    {
      BENCH_LOAD_SCENARIO: JSON.stringify(scenario()),
    },
    nodeArgs('BENCH_LOAD_NODE_ARGS'),
  );
  try {
    const processes = bench.backend === 'services' ? PROCESSES : 1;
    const baseline = WITH_BASELINE ? await measureBaseline(bench, load, processes) : undefined;
    if (baseline) bench.log(`${elapsed()} bare-session baseline measured`);
    const port = await freePort();
    const server = await startBenchServer(
      bench,
      { ...load.ready.env, PROCESSES: String(processes), PORT: String(port) },
      { sandbox: false },
    );
    try {
      await bindBookingTool(server, load.ready.n8nUrl);
      await load.request({
        line: {
          number: server.number,
          voiceUrl: `${server.url}/twilio/voice`,
          statusUrl: `${server.url}/twilio/status`,
        },
      });
      const dial = () =>
        load.request({ dial: { to: { number: server.number, from: CALLER } } }) as Promise<LoadCallResult>;
      bench.log(
        `compiled server (node dist/cli/main.js start), ${processes} process(es), pid ${server.pid}, ${server.backend}, up after ${elapsed()}`,
      );
      const steps = await ramp(bench, STEPS[bench.backend], 'platform', server.pid, load, dial, {
        check: (results) => unfinishedRows(server, results.length),
        worstStall: () => worstStall(server, processes),
        warmUp: true,
      });
      bench.log(`${elapsed()} ramp done`);
      const atLargest = largestClean(steps);
      const bareSteps = baseline ?? [];
      const bareClean = largestClean(bareSteps);

      // What every turn pays beyond the configured delays, at the largest clean step (or the first).
      const measured = atLargest ?? steps[0];
      if (measured) {
        const floor = percentile(
          measured.gaps.map((g) => g.floorMs),
          50,
        );
        for (const p of [50, 95, 99])
          bench.report({
            name: `turn_overhead_p${p}_ms`,
            value: percentile(
              measured.gaps.map((g) => g.gapMs - g.floorMs),
              p,
            ),
            unit: 'ms',
            baseline: floor,
            baselineName: 'floor: configured delays',
            note: `N=${measured.n}${atLargest ? '' : ' (not clean)'}, ${measured.gaps.length} turns`,
          });
      }
      const loadStall = Math.max(...steps.map((s) => s.loadLateMs));
      bench.report({
        name: 'capacity_clean_calls',
        value: atLargest?.n ?? 0,
        unit: 'calls',
        baseline: baseline ? (bareClean?.n ?? 0) : null,
        baselineName: `bare AgentSession (${processes} process(es)), no persistence`,
        note: `compiled server (dist/), ${processes} process(es); far end (emulators, callers) in its own process on the same cores; steps ${STEPS[bench.backend].join(',')}, starts spread over ${STAGGER_MS / 1000} s; clean: exact transcript, call completed, no hole > ${LATE_FRAME_MS} ms in the agent's speech on the line (far end's worst stall ${loadStall.toFixed(0)} ms)`,
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
        bench.report({
          name: 'far_end_cpu_per_call_pct',
          value: at.loadCpuPct / at.n,
          unit: '% core',
          baselineName: 'emulators and callers, on the same cores',
          note: `N=${at.n}`,
        });
      }
    } finally {
      await server.stop();
    }
  } finally {
    await load.stop();
  }
}
