import { type Static, Type } from 'typebox';

const AgentSaid = Type.Union([
  Type.String({ minLength: 1, maxLength: 500, description: 'a case-insensitive substring' }),
  Type.Object(
    {
      regex: Type.String({ minLength: 1, maxLength: 500 }),
      flags: Type.Optional(Type.String({ pattern: '^[imsu]{0,4}$' })),
    },
    { additionalProperties: false },
  ),
]);

/** What a finished test call must show; each field present is checked. */
export const TestExpect = Type.Object(
  {
    /** Tools the LLM called through the gateway, each with arguments matching a JSON pattern. */
    toolCalled: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 64 }),
            args: Type.Optional(
              Type.Record(Type.String(), Type.Unknown(), {
                description:
                  'a JSON pattern: every key present must match (objects recursively, strings case-insensitively, {"$regex": "…"} as a regular expression)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    /** Tools that must not have been called. */
    toolNotCalled: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
    /** Phrases or patterns the agent must have said, in this order. */
    agentSaid: Type.Optional(Type.Array(AgentSaid, { maxItems: 20 })),
    /** Phrases or patterns the agent must never say. */
    agentNeverSaid: Type.Optional(Type.Array(AgentSaid, { maxItems: 20 })),
    /** The call's end reason, e.g. caller_hangup. */
    endReason: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The outcome label the agent reported (set_outcome). */
    outcome: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Every agent answer starts within this many milliseconds of the caller's turn. */
    maxTurnLatencyMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000 })),
    /** No tool execution failed. */
    noToolFailures: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type TestExpect = Static<typeof TestExpect>;

/**
 * How the case drives the call: the simulated caller (the sandbox scenario `caller` format), the
 * sandbox LLM's behaviour (scenario `llm` rules; a rule may carry `ifPrompt`/`unlessPrompt`, regular
 * expressions over the agent's system prompt, so the simulated model follows the prompt under test),
 * and the tools: `live` (the tenant's workflows) or `stub` (the given n8n workflows answer instead).
 */
export const TestCaseSpec = Type.Object(
  {
    caller: Type.Record(Type.String(), Type.Unknown(), { description: 'a scenario caller script' }),
    llm: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'scenario llm rules (sandbox only); rules may add ifPrompt / unlessPrompt',
      }),
    ),
    tools: Type.Optional(
      Type.Object(
        {
          mode: Type.Union([Type.Literal('live'), Type.Literal('stub')]),
          stubs: Type.Optional(
            Type.Array(Type.Record(Type.String(), Type.Unknown()), {
              maxItems: 20,
              description: 'scenario n8n workflows with the recorded responses (mode stub)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TestCaseSpec = Static<typeof TestCaseSpec>;

export const TestCaseName = Type.String({ minLength: 1, maxLength: 120 });

export interface TestCase {
  id: string;
  agentId: string;
  name: string;
  revision: number;
  spec: TestCaseSpec;
  expect: TestExpect;
  sourceCallId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface PromptRule {
  ifPrompt?: unknown;
  unlessPrompt?: unknown;
  [key: string]: unknown;
}

/**
 * The scenario document one case plays against a configuration: its caller, its LLM rules that
 * apply to this system prompt (prompt conditions removed), and its tool stubs. Validated by the
 * sandbox's scenario parser where the call is placed.
 */
export function caseScenario(
  testCase: Pick<TestCase, 'name' | 'spec'>,
  config: { systemPrompt: string },
  options: { keepAllRules?: boolean } = {},
): Record<string, unknown> {
  const { llm, caller, tools } = testCase.spec;
  const rules = Array.isArray(llm?.rules) ? (llm.rules as PromptRule[]) : [];
  const applies = (pattern: unknown) =>
    typeof pattern === 'string' && new RegExp(pattern, 'i').test(config.systemPrompt);
  const kept = rules
    .filter(
      (rule) =>
        options.keepAllRules ||
        ((rule.ifPrompt === undefined || applies(rule.ifPrompt)) && !applies(rule.unlessPrompt)),
    )
    .map(({ ifPrompt: _if, unlessPrompt: _unless, ...rule }) => rule);
  const stubs = tools?.mode === 'stub' ? (tools.stubs ?? []) : [];
  return {
    name: 'agent-test',
    description: testCase.name,
    caller,
    llm: { ...llm, rules: kept },
    ...(stubs.length > 0 ? { n8n: { workflows: stubs } } : {}),
  };
}

/**
 * The case as one scenario document with every LLM rule kept (prompt conditions removed), for the
 * sandbox's scenario parser to validate; plus the problems of the prompt conditions themselves.
 */
export function caseScenarioForValidation(spec: TestCaseSpec): {
  scenario: Record<string, unknown>;
  issues: { field: string; message: string }[];
} {
  const issues: { field: string; message: string }[] = [];
  const rules = Array.isArray(spec.llm?.rules) ? (spec.llm.rules as PromptRule[]) : [];
  for (const [i, rule] of rules.entries()) {
    for (const key of ['ifPrompt', 'unlessPrompt'] as const) {
      const pattern = rule[key];
      if (pattern === undefined) continue;
      let valid = typeof pattern === 'string';
      try {
        if (valid) new RegExp(pattern as string, 'i');
      } catch {
        valid = false;
      }
      if (!valid) issues.push({ field: `llm.rules[${i}].${key}`, message: 'must be a regular expression' });
    }
  }
  return {
    scenario: caseScenario({ name: 'validation', spec }, { systemPrompt: '' }, { keepAllRules: true }),
    issues,
  };
}
