import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import bargeIn from './files/barge-in.json' with { type: 'json' };
import bookAppointment from './files/book-appointment.json' with { type: 'json' };
import callerHangsUpMidAnswer from './files/caller-hangs-up-mid-answer.json' with { type: 'json' };
import greetingOnly from './files/greeting-only.json' with { type: 'json' };
import silenceTimeout from './files/silence-timeout.json' with { type: 'json' };
import toolTimeout from './files/tool-timeout.json' with { type: 'json' };
import { Scenario } from './scenario.js';

/** The scenarios shipped with the sandbox, by name (imported, so a build carries them along). */
const SHIPPED: Record<string, unknown> = {
  'greeting-only': greetingOnly,
  'book-appointment': bookAppointment,
  'barge-in': bargeIn,
  'tool-timeout': toolTimeout,
  'caller-hangs-up-mid-answer': callerHangsUpMidAnswer,
  'silence-timeout': silenceTimeout,
};

export interface ScenarioIssue {
  /** Where in the document, e.g. `caller.steps[2].timeoutMs` (empty for the root). */
  path: string;
  message: string;
}

export type ScenarioParseResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

export class ScenarioLoadError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(
      `invalid scenario ${source}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ScenarioLoadError';
  }
}

export function shippedScenarioNames(): string[] {
  return Object.keys(SHIPPED);
}

export function parseScenario(data: unknown): ScenarioParseResult {
  const parsed = Scenario.safeParse(data);
  if (parsed.success) return { ok: true, scenario: parsed.data };
  return { ok: false, issues: parsed.error.issues.map(toIssue) };
}

/**
 * Loads a scenario by shipped name (`barge-in`) or from a JSON file path. Throws ScenarioLoadError
 * listing every problem with its path.
 */
export async function loadScenario(fileOrName: string): Promise<Scenario> {
  const shipped = SHIPPED[fileOrName];
  let data: unknown = shipped;
  if (shipped === undefined) {
    if (!fileOrName.endsWith('.json') && !fileOrName.includes('/')) {
      throw new ScenarioLoadError(fileOrName, [
        {
          path: '',
          message: `no shipped scenario with that name (known: ${shippedScenarioNames().join(', ')})`,
        },
      ]);
    }
    let text: string;
    try {
      text = await readFile(fileOrName, 'utf-8');
    } catch (err) {
      const reason = err instanceof Error && 'code' in err ? String(err.code) : String(err);
      throw new ScenarioLoadError(fileOrName, [{ path: '', message: `cannot read the file (${reason})` }]);
    }
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ScenarioLoadError(fileOrName, [
        { path: '', message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` },
      ]);
    }
  }
  const result = parseScenario(data);
  if (!result.ok) throw new ScenarioLoadError(fileOrName, result.issues);
  return result.scenario;
}

function toIssue(issue: z.core.$ZodIssue): ScenarioIssue {
  const path = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return { path, message: issue.message };
}
