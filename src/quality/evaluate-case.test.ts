import { describe, expect, it } from 'vitest';
import { evaluateCase, matchesPattern, type ObservedTestCall } from './evaluate-case.js';
import { caseScenario } from './test-case.js';

const observed = (over: Partial<ObservedTestCall> = {}): ObservedTestCall => ({
  endReason: 'caller_hangup',
  outcome: 'appointment_booked',
  transcript: [
    { speaker: 'agent', text: 'Hi, how can I help?', latencyMs: null },
    { speaker: 'caller', text: 'book a cleaning', latencyMs: null },
    {
      speaker: 'agent',
      text: "You're booked for Tuesday. Your confirmation number is AB12.",
      latencyMs: 900,
    },
  ],
  tools: [
    { name: 'book_appointment', status: 'succeeded', arguments: { service: 'cleaning', date: '2030-05-14' } },
  ],
  callerProblems: [],
  ...over,
});

describe('evaluateCase', () => {
  it('passes when every expectation holds, phrases in order (two in one utterance)', () => {
    expect(
      evaluateCase(
        {
          agentSaid: ['how can i help', 'booked for', { regex: 'confirmation number is [a-z0-9]+' }],
          toolCalled: [
            { name: 'book_appointment', args: { service: 'Cleaning', date: { $regex: '^2030-' } } },
          ],
          endReason: 'caller_hangup',
          outcome: 'appointment_booked',
          maxTurnLatencyMs: 1000,
          noToolFailures: true,
          toolNotCalled: ['cancel'],
          agentNeverSaid: ['sorry'],
        },
        observed(),
      ),
    ).toEqual([]);
  });

  it('names every unmet expectation', () => {
    const reasons = evaluateCase(
      {
        agentSaid: ['booked for', 'how can i help'],
        toolCalled: [{ name: 'book_appointment', args: { service: 'filling' } }, { name: 'cancel' }],
        endReason: 'agent_hangup',
        outcome: 'message_taken',
        maxTurnLatencyMs: 500,
        noToolFailures: true,
        agentNeverSaid: ['confirmation'],
      },
      observed({
        tools: [{ name: 'book_appointment', status: 'failed', arguments: { service: 'cleaning' } }],
        callerProblems: ['waitFor timed out'],
      }),
    );
    expect(reasons).toEqual([
      'caller: waitFor timed out',
      'the agent never said "how can i help" after the phrases before it',
      `the agent said "confirmation": "You're booked for Tuesday. Your confirmation number is AB12."`,
      'the tool book_appointment was called with {"service":"cleaning"}, not matching {"service":"filling"}',
      'the tool cancel was not called',
      'the call ended with caller_hangup, not agent_hangup',
      'the outcome was appointment_booked, not message_taken',
      'the slowest agent turn took 900 ms, over the 500 ms budget',
      'the tool book_appointment ended failed',
    ]);
  });

  it('matches JSON patterns: subsets, nested objects, arrays, regexes', () => {
    expect(matchesPattern({ a: { b: 'X' } }, { a: { b: 'x', c: 1 }, d: 2 })).toBe(true);
    expect(matchesPattern({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(matchesPattern({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(matchesPattern({ n: { $regex: '^4\\d$' } }, { n: 42 })).toBe(true);
    expect(matchesPattern({ a: 'x' }, null)).toBe(false);
  });
});

describe('caseScenario', () => {
  it('keeps the LLM rules whose prompt conditions hold for the configuration under test', () => {
    const spec = {
      caller: { steps: [{ type: 'hangup' }] },
      llm: {
        rules: [
          { when: { always: true }, respond: { reply: 'a' }, ifPrompt: 'book_appointment' },
          { when: { always: true }, respond: { reply: 'b' }, unlessPrompt: 'never book' },
          { when: { always: true }, respond: { reply: 'c' } },
        ],
      },
    };
    const replies = (prompt: string) =>
      (
        caseScenario({ name: 'x', spec }, { systemPrompt: prompt }).llm as {
          rules: { respond: { reply: string } }[];
        }
      ).rules.map((r) => r.respond.reply);
    expect(replies('Use the book_appointment tool.')).toEqual(['a', 'b', 'c']);
    expect(replies('Never book anything.')).toEqual(['c']);
  });
});
