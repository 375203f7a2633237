import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeScenarioCall, startVoiceWorld, type VoiceWorld } from './support/voice-world.js';

const CALLS = 30;
let w: VoiceWorld;

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
  w = await startVoiceWorld({ toolScenarios: ['book-appointment'] });
});
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
  it('leave no listeners, handles or memory behind and raise no MaxListenersExceededWarning', {
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
      for (let i = 0; i < CALLS; i++) {
        const { row, caller } = await placeScenarioCall(w, 'book-appointment');
        expect(caller.failure, `call ${i + 1}`).toBeUndefined();
        expect(row.status).toBe('completed');
        if (i === WARM_UP - 1) {
          resourcesAfterWarmUp = process.getActiveResourcesInfo().length;
          heapAfterWarmUp = heapAfterGc();
        }
      }
      const heapGrowthPerCall = (heapAfterGc() - heapAfterWarmUp) / (CALLS - WARM_UP);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      // A listener left on a signal per wait (the emulated call's sleeps did) piles up past Node's 10.
      expect(mostAbortListeners()).toBeLessThan(10);
      // Pooled keep-alive sockets may come and go; a leak per call would add one for each of 25 calls.
      expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(resourcesAfterWarmUp + 5);
      // A finished call leaves nothing behind: what a call keeps would show as heap growth per call
      // (the sandbox kept ~90 KB a call). The bound leaves room for caches that fill up over time.
      expect(heapGrowthPerCall).toBeLessThan(50 * 1024);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
