import type { Deps } from '../deps/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import type { TestCaseSpec, TestExpect } from './test-case.js';
import { createTestCase } from './test-cases.js';

/**
 * The sandbox model of the demo receptionist: it books with the tool only while its prompt tells it
 * to (`ifPrompt`), so a prompt that drops booking fails the suite the way a real model would.
 */
const DEMO_LLM = {
  rules: [
    {
      when: { userSays: 'appointment' },
      ifPrompt: 'book_appointment',
      unlessPrompt: "(never|do not|don't)\\s+(book|make bookings|use the book_appointment)",
      respond: {
        reply: 'Let me check the calendar.',
        toolCall: {
          name: 'book_appointment',
          arguments: { service: 'cleaning', date: '2030-05-14', time: '10:30' },
        },
      },
    },
    {
      when: { userSays: 'appointment' },
      respond: { reply: "I'm sorry, I can't book appointments. I can take a message for the team." },
    },
    {
      when: { toolResult: { name: 'book_appointment', contains: 'booked' } },
      respond: {
        replyFromTool: "You're booked for {{day}} at {{time}}. Your confirmation number is {{confirmation}}.",
      },
    },
    {
      when: { toolResult: { name: 'book_appointment' } },
      respond: { reply: 'Sorry, I could not book that appointment.' },
    },
    { when: { userSays: ['bye', 'goodbye'] }, respond: { reply: 'Goodbye, have a nice day.' } },
  ],
};

/** The booking workflow's recorded answer: the case runs with it instead of the live workflow. */
const BOOKING_STUB = {
  name: 'Book appointment (recorded)',
  path: 'book-appointment',
  method: 'POST',
  tool: 'book_appointment',
  script: {
    otherwise: {
      type: 'json',
      body: { status: 'booked', day: 'Tuesday, May 14', time: '10:30 am', confirmation: 'AB12' },
    },
  },
};

/** A caller step: wait (up to 30 s) until the agent says `agentSaid`. */
function waitFor(agentSaid: string | { regex: string }) {
  return { type: 'waitFor', agentSaid, timeoutMs: 30_000 };
}

/** The demo caller: waits for the greeting, plays `turns`, waits for the goodbye and hangs up. */
function demoCaller(...turns: Record<string, unknown>[]) {
  return { steps: [waitFor('how can i help'), ...turns, waitFor('goodbye'), { type: 'hangup' }] };
}

export const DEMO_SUITE: { name: string; spec: TestCaseSpec; expect: TestExpect }[] = [
  {
    name: 'books a cleaning',
    spec: {
      caller: demoCaller(
        { type: 'say', text: "I'd like to book a cleaning appointment next Tuesday morning." },
        // The whole read-back, so the caller does not talk over the confirmation number.
        waitFor({ regex: 'confirmation number is [a-z0-9]+' }),
        { type: 'say', text: 'Great, thanks. Bye!' },
      ),
      llm: DEMO_LLM,
      tools: { mode: 'stub', stubs: [BOOKING_STUB] },
    },
    expect: {
      toolCalled: [
        {
          name: 'book_appointment',
          args: { service: 'cleaning', date: { $regex: '^\\d{4}-\\d{2}-\\d{2}$' } },
        },
      ],
      agentSaid: ['booked for', { regex: 'confirmation number is [a-z0-9]+' }],
      endReason: 'caller_hangup',
      noToolFailures: true,
      maxTurnLatencyMs: 8_000,
    },
  },
  {
    name: 'greets and lets the caller go',
    spec: {
      caller: demoCaller({ type: 'say', text: 'Sorry, wrong number. Bye!' }),
      llm: DEMO_LLM,
    },
    expect: {
      agentSaid: ['how can i help', 'goodbye'],
      toolNotCalled: ['book_appointment'],
      noToolFailures: true,
    },
  },
];

/** Gives a demo agent its shipped test suite. */
export async function seedDemoSuite(deps: Deps, tenantId: string, agentId: string): Promise<void> {
  for (const testCase of DEMO_SUITE) await createTestCase(deps, SYSTEM_ACTOR, tenantId, agentId, testCase);
}
