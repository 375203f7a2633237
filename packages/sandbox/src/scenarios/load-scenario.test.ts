import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallerStep } from '../caller/script.js';
import { loadScenario, parseScenario, ScenarioLoadError, shippedScenarioNames } from './load-scenario.js';

const SHIPPED = [
  'greeting-only',
  'book-appointment',
  'barge-in',
  'tool-timeout',
  'caller-hangs-up-mid-answer',
  'silence-timeout',
];

describe('scenarios', () => {
  it('ships the expected scenarios', () => {
    expect(shippedScenarioNames().sort()).toEqual([...SHIPPED].sort());
  });

  it.each(SHIPPED)('%s is valid, named after its file, and its tool calls reach a workflow', async (name) => {
    const scenario = await loadScenario(name);
    expect(scenario.name).toBe(name);
    const fromFile = await loadScenario(join(import.meta.dirname, 'files', `${name}.json`));
    expect(fromFile).toEqual(scenario);
    // The agent's built-in tools (the runtime's set_outcome and end_call) need no workflow.
    const tools = new Set(['set_outcome', 'end_call', ...(scenario.n8n?.workflows.map((w) => w.tool) ?? [])]);
    for (const rule of scenario.llm.rules) {
      const respond = rule.respond;
      const calls =
        'toolCall' in respond ? [respond.toolCall] : 'toolCalls' in respond ? respond.toolCalls : [];
      for (const call of calls) expect(tools.has(call.name), `${name}: tool ${call.name}`).toBe(true);
    }
    for (const tool of scenario.expect?.toolCalls ?? []) expect(tools.has(tool)).toBe(true);
  });

  it('applies defaults', async () => {
    const scenario = await loadScenario('greeting-only');
    expect(scenario.caller.from).toBe('+14155550123');
    expect(scenario.caller.hangupAtEnd).toBe(true);
    expect(scenario.caller.steps[3]).toEqual(CallerStep.parse({ type: 'hangup' }));
    expect(scenario.llm.faults).toEqual({});
  });

  it('reports every problem with its path', async () => {
    const result = parseScenario({
      name: 'Bad Name',
      description: 'x',
      caller: { steps: [{ type: 'say' }, { type: 'waitFor', timeoutMs: -1 }, { type: 'teleport' }] },
      llm: { rules: [{ when: { firstTurn: true }, respond: { reply: 'hi' }, extra: 1 }] },
      n8n: { workflows: [{ path: 'x', unknownField: true }] },
      faults: { rime: { firstByteDelayMs: 'slow' } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        'caller.steps[0].text',
        'caller.steps[1].timeoutMs',
        'caller.steps[2].type',
        'llm.rules[0]',
        'n8n.workflows[0]',
        'faults.rime.firstByteDelayMs',
      ]),
    );
  });

  it('throws a readable error for files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'));
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'bad', description: 'd', caller: { steps: [] }, llm: {} }));
    const error = await loadScenario(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioLoadError);
    expect((error as Error).message).toContain('caller.steps: ');
    expect((error as Error).message).not.toContain('    at ');

    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ nope');
    await expect(loadScenario(broken)).rejects.toThrow(/not valid JSON/);
    await expect(loadScenario(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    await expect(loadScenario('no-such-scenario')).rejects.toThrow(/known: greeting-only/);
  });
});
