import { describeMatch, findAgentSpeech } from '../caller/match-agent-speech.js';
import type { CallerResult } from '../caller/run-caller.js';
import type { ScenarioExpect } from './scenario.js';

export interface ObservedCall {
  caller: CallerResult;
  /** Names of the tool calls the LLM made, in order (from the OpenAI emulator's records). */
  toolCalls?: string[];
  /** Requests per n8n webhook path. */
  n8nCalls?: Record<string, number>;
}

/** Compares a finished call with a scenario's `expect`; returns one message per unmet expectation. */
export function checkScenarioExpectations(
  expect: ScenarioExpect | undefined,
  observed: ObservedCall,
): string[] {
  if (!expect) return [];
  const problems: string[] = [];
  const { caller } = observed;
  if (expect.endedBy && caller.end.endedBy !== expect.endedBy) {
    problems.push(
      `expected the call to be ended by ${expect.endedBy}, it was ended by ${caller.end.endedBy}`,
    );
  }
  if (expect.agentSaid) {
    const texts = caller.transcript.filter((e) => e.speaker === 'agent').map((e) => e.text);
    let from = 0;
    for (const match of expect.agentSaid) {
      const at = findAgentSpeech(texts, from, match);
      if (at < 0) {
        problems.push(
          `expected the agent to say ${describeMatch(match)} (in order); it said ${JSON.stringify(texts)}`,
        );
        break;
      }
      from = at + 1;
    }
  }
  if (expect.agentInterrupted !== undefined) {
    const interrupted = caller.transcript.some((e) => e.speaker === 'agent' && e.interrupted);
    if (interrupted !== expect.agentInterrupted) {
      problems.push(`expected agent speech ${expect.agentInterrupted ? 'to be' : 'not to be'} interrupted`);
    }
  }
  if (expect.minClears !== undefined && caller.clears.length < expect.minClears) {
    problems.push(`expected at least ${expect.minClears} clear message(s), saw ${caller.clears.length}`);
  }
  if (expect.toolCalls) {
    const seen = observed.toolCalls ?? [];
    if (JSON.stringify(seen) !== JSON.stringify(expect.toolCalls)) {
      problems.push(`expected tool calls ${JSON.stringify(expect.toolCalls)}, saw ${JSON.stringify(seen)}`);
    }
  }
  for (const [path, count] of Object.entries(expect.n8nCalls ?? {})) {
    const seen = observed.n8nCalls?.[path] ?? 0;
    if (seen !== count) problems.push(`expected ${count} call(s) to n8n webhook ${path}, saw ${seen}`);
  }
  return problems;
}
