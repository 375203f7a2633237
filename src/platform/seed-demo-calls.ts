import { loadScenario, Scenario } from '@switchboard/sandbox';
import { DEMO_TENANTS } from '../control/seed-demo.js';
import type { Deps } from '../deps/index.js';
import type { SandboxCalls } from './sandbox-calls.js';

/** A short scripted conversation: the agent greets, the caller asks each question, then says goodbye. */
function conversation(
  name: string,
  greeting: string,
  exchanges: [question: string, answer: string][],
): Scenario {
  return Scenario.parse({
    name,
    description: 'A demo call placed at first start-up',
    caller: {
      steps: [
        { type: 'waitFor', agentSaid: 'how can i help', timeoutMs: 15_000 },
        ...exchanges.flatMap(([question, answer]) => [
          { type: 'say', text: question },
          { type: 'waitFor', agentSaid: answer.slice(0, 20).toLowerCase(), timeoutMs: 15_000 },
        ]),
        { type: 'say', text: 'Great, thanks. Bye!' },
        { type: 'waitFor', agentSaid: 'goodbye', timeoutMs: 15_000 },
        { type: 'hangup' },
      ],
    },
    llm: {
      rules: [
        { when: { firstTurn: true }, respond: { reply: greeting } },
        ...exchanges.map(([question, answer]) => ({
          when: { userSays: question.split(' ').slice(-2).join(' ').replace(/[?.!]/g, '') },
          respond: { reply: answer },
        })),
        { when: { userSays: ['bye', 'goodbye'] }, respond: { reply: 'Goodbye, have a nice day.' } },
      ],
    },
  });
}

async function demoCalls(): Promise<{ to: string; scenario: Scenario }[]> {
  const [acme, plumbing] = DEMO_TENANTS;
  return [
    { to: acme!.e164, scenario: await loadScenario('book-appointment') },
    {
      to: acme!.e164,
      scenario: conversation('demo-acme-hours', 'Hi, this is Acme Dental. How can I help you today?', [
        ['What time do you open on Saturday?', 'On Saturdays we open at nine and close at one.'],
      ]),
    },
    {
      to: plumbing!.e164,
      scenario: conversation('demo-plumbing-leak', 'Hi, this is Bright Plumbing. How can I help you today?', [
        [
          'My kitchen sink is leaking, can someone come today?',
          'A plumber can come this afternoon between two and four.',
        ],
      ]),
    },
    {
      to: plumbing!.e164,
      scenario: conversation(
        'demo-plumbing-quote',
        'Hi, this is Bright Plumbing. How can I help you today?',
        [['How much is a water heater check?', 'A water heater check is eighty nine dollars.']],
      ),
    },
  ];
}

/**
 * Fills a freshly seeded demo with a few finished sandbox calls (transcripts, tool traces, costs,
 * recordings), placed one after another through the same path as the console's test call, so the
 * portal is not empty on first start. Runs in the background; a failure is logged, never fatal.
 * Returns a stop function for shutdown: no further call is placed, the one running is awaited.
 */
export function seedDemoCalls(deps: Deps, sandboxCalls: SandboxCalls): () => Promise<void> {
  let stopped = false;
  const done = placeDemoCalls(deps, sandboxCalls, () => stopped);
  return async () => {
    stopped = true;
    await done;
  };
}

async function placeDemoCalls(deps: Deps, sandboxCalls: SandboxCalls, stopped: () => boolean): Promise<void> {
  const calls = await demoCalls();
  deps.log.info({ calls: calls.length }, 'placing demo calls in the background');
  for (const [i, { to, scenario }] of calls.entries()) {
    if (stopped()) return;
    try {
      const result = await sandboxCalls.place({ to, scenario, speed: 4 });
      deps.log.info(
        { n: i + 1, of: calls.length, callId: result.callId, status: result.status },
        'demo call placed',
      );
    } catch (err) {
      deps.log.warn({ err, n: i + 1 }, 'demo call not placed');
    }
  }
}
