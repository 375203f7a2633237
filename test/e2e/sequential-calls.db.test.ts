import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadScenario, Scenario } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeScenarioCall, startVoiceWorld, type VoiceWorld } from './support/voice-world.js';

const CALLS = 30;
let w: VoiceWorld;
/** The server's log lines at warn and above, over every call. */
const logWarnings: string[] = [];

// Every AbortSignal that got an abort listener, to count what stays attached after the calls.
const signals = new Set<WeakRef<AbortSignal>>();
const addEventListener = EventTarget.prototype.addEventListener;

beforeAll(async () => {
  EventTarget.prototype.addEventListener = function (this: EventTarget, ...args) {
    if (this instanceof AbortSignal && args[0] === 'abort') signals.add(new WeakRef(this));
    return addEventListener.apply(this, args);
  } as typeof addEventListener;
  // Each call runs a tool: the tool's filler phrase is where @livekit/agents' waitForIdle loop
  // (RunContext.filler) left an abort listener per pass.
  w = await startVoiceWorld({ toolScenarios: ['book-appointment'], warnings: logWarnings });
}, 180_000);
afterAll(async () => {
  EventTarget.prototype.addEventListener = addEventListener;
  await w?.close();
});

function mostAbortListeners(): number {
  let most = 0;
  for (const ref of signals) {
    const signal = ref.deref();
    if (signal) most = Math.max(most, getEventListeners(signal, 'abort').length);
  }
  return most;
}

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe(`${CALLS} sequential sandbox calls`, () => {
  it('leave no listeners, handles or memory behind, and warn of nothing once per call', {
    timeout: 300_000,
  }, async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      // The first few calls warm up pools (database, keep-alive sockets); growth is measured after them.
      const WARM_UP = 5;
      let resourcesAfterWarmUp = 0;
      let heapAfterWarmUp = 0;
      // The shipped scenario's waits, in line time, made four times longer: at 4x speed on a loaded
      // machine a turn may take longer than the shipped wait allows.
      const shipped = await loadScenario('book-appointment');
      const scenario = Scenario.parse({
        ...shipped,
        caller: {
          ...shipped.caller,
          steps: shipped.caller.steps.map((step) =>
            'timeoutMs' in step && step.timeoutMs ? { ...step, timeoutMs: step.timeoutMs * 4 } : step,
          ),
        },
      });
      for (let i = 0; i < CALLS; i++) {
        // The first call runs cold (module loading, JIT): at real-time pace its waits are not cut short.
        const { row, caller } = await placeScenarioCall(w, scenario, { speed: i === 0 ? 1 : 4 });
        expect(caller.failure, `call ${i + 1}`).toBeUndefined();
        expect(row.status).toBe('completed');
        if (i === WARM_UP - 1) {
          resourcesAfterWarmUp = process.getActiveResourcesInfo().length;
          heapAfterWarmUp = heapAfterGc();
        }
      }
      const heapGrowthPerCall = (heapAfterGc() - heapAfterWarmUp) / (CALLS - WARM_UP);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      // Nothing warns once per call: an operator's logs would fill with it (the library warned that
      // its false-interruption resume cannot pause a phone line, every call).
      expect(logWarnings.length, logWarnings.slice(0, 3).join('')).toBeLessThan(CALLS / 2);
      // A listener left on a signal per wait (the emulated call's sleeps did) piles up past Node's 10.
      expect(mostAbortListeners()).toBeLessThan(10);
      // Pooled keep-alive sockets may come and go; a leak per call would add one for each of 25 calls.
      expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(resourcesAfterWarmUp + 5);
      // Heap growth per finished call. Measured at about 180 KB here (embedded): this test keeps
      // each call's sandbox records (a key per call, for assertions) and PGlite runs in this heap.
      // The bound catches a call that keeps its audio: caller frames alone are ~1 MB a call.
      expect(heapGrowthPerCall).toBeLessThan(400 * 1024);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
