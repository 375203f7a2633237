import type { TestExpect } from './test-case.js';

/** What one test call showed, read back from the call's stored record. */
export interface ObservedTestCall {
  endReason: string | null;
  outcome: string | null;
  transcript: { speaker: string; text: string; latencyMs: number | null }[];
  tools: { name: string; status: string; arguments: unknown }[];
  /** Problems the simulated caller reported (a step timed out, the line dropped). */
  callerProblems: string[];
}

type SaidMatch = string | { regex: string; flags?: string | undefined };

function describe(match: SaidMatch): string {
  return typeof match === 'string' ? `"${match}"` : `/${match.regex}/${match.flags ?? ''}`;
}

function matches(match: SaidMatch, text: string): boolean {
  if (typeof match === 'string') return text.toLowerCase().includes(match.toLowerCase());
  return new RegExp(match.regex, match.flags ?? 'i').test(text);
}

/**
 * Whether `value` matches a JSON pattern: objects match when every key of the pattern matches
 * (other keys may be present), arrays element by element, strings case-insensitively, and
 * `{"$regex": "…"}` as a case-insensitive regular expression over the value as text.
 */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (pattern !== null && typeof pattern === 'object' && !Array.isArray(pattern)) {
    const entries = Object.entries(pattern as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![0] === '$regex' && typeof entries[0]![1] === 'string') {
      const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
      return new RegExp(entries[0]![1], 'i').test(text);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    return entries.every(([key, sub]) => matchesPattern(sub, (value as Record<string, unknown>)[key]));
  }
  if (Array.isArray(pattern)) {
    return (
      Array.isArray(value) &&
      value.length === pattern.length &&
      pattern.every((sub, i) => matchesPattern(sub, value[i]))
    );
  }
  if (typeof pattern === 'string' && typeof value === 'string') {
    return pattern.toLowerCase() === value.toLowerCase();
  }
  return pattern === value;
}

/** Every unmet expectation, as a sentence naming what was expected and what happened; empty = pass. */
export function evaluateCase(expect: TestExpect, observed: ObservedTestCall): string[] {
  const reasons = observed.callerProblems.map((p) => `caller: ${p}`);
  const agentTurns = observed.transcript.filter((t) => t.speaker === 'agent');

  let from = 0;
  for (const said of expect.agentSaid ?? []) {
    const index = agentTurns.findIndex((t, i) => i >= from && matches(said, t.text));
    if (index < 0) {
      reasons.push(`the agent never said ${describe(said)}${from > 0 ? ' after the phrases before it' : ''}`);
    } else {
      // The next phrase may be in the same utterance ("booked for …; your confirmation number is …").
      from = index;
    }
  }
  for (const said of expect.agentNeverSaid ?? []) {
    const turn = agentTurns.find((t) => matches(said, t.text));
    if (turn) reasons.push(`the agent said ${describe(said)}: "${turn.text}"`);
  }
  for (const expected of expect.toolCalled ?? []) {
    const calls = observed.tools.filter((t) => t.name === expected.name);
    if (calls.length === 0) {
      reasons.push(`the tool ${expected.name} was not called`);
    } else if (expected.args && !calls.some((c) => matchesPattern(expected.args, c.arguments))) {
      reasons.push(
        `the tool ${expected.name} was called with ${JSON.stringify(calls[0]!.arguments)}, not matching ${JSON.stringify(expected.args)}`,
      );
    }
  }
  for (const name of expect.toolNotCalled ?? []) {
    if (observed.tools.some((t) => t.name === name)) reasons.push(`the tool ${name} was called`);
  }
  if (expect.endReason !== undefined && observed.endReason !== expect.endReason) {
    reasons.push(`the call ended with ${observed.endReason ?? 'no end reason'}, not ${expect.endReason}`);
  }
  if (expect.outcome !== undefined && observed.outcome !== expect.outcome) {
    reasons.push(`the outcome was ${observed.outcome ?? 'not set'}, not ${expect.outcome}`);
  }
  if (expect.maxTurnLatencyMs !== undefined) {
    const slowest = Math.max(0, ...agentTurns.map((t) => t.latencyMs ?? 0));
    if (slowest > expect.maxTurnLatencyMs) {
      reasons.push(
        `the slowest agent turn took ${slowest} ms, over the ${expect.maxTurnLatencyMs} ms budget`,
      );
    }
  }
  if (expect.noToolFailures) {
    for (const failed of observed.tools.filter((t) => t.status !== 'succeeded')) {
      reasons.push(`the tool ${failed.name} ended ${failed.status}`);
    }
  }
  return reasons;
}
