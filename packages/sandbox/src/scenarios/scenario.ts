import { z } from 'zod';
import { AgentSaidMatch, CallerScript } from '../caller/script.js';
import { DeepgramFaults } from '../deepgram/faults.js';
import { N8nWorkflowSpec } from '../n8n/workflow-script.js';
import { LlmFaults, LlmScript } from '../openai/script.js';
import { RimeFaults } from '../rime/faults.js';

/** An n8n webhook workflow the agent's tool calls reach, and the LLM tool bound to it. */
export const ScenarioWorkflow = N8nWorkflowSpec.extend({
  /** Name of the LLM tool that calls this workflow (as in the scenario's `llm` tool calls). */
  tool: z.string().min(1).optional(),
});
export type ScenarioWorkflow = z.infer<typeof ScenarioWorkflow>;

/** What a finished scenario call must show; each field present is checked. */
export const ScenarioExpect = z
  .object({
    endedBy: z.enum(['caller', 'agent', 'error']).optional(),
    /** Agent utterances that must be heard, in this order (others may come between). */
    agentSaid: z.array(AgentSaidMatch).optional(),
    /** Whether some agent speech was cut short (barge-in, hang-up). */
    agentInterrupted: z.boolean().optional(),
    /** At least this many `clear` messages from the agent. */
    minClears: z.number().int().min(0).optional(),
    /** LLM tool calls, by name, in order. */
    toolCalls: z.array(z.string().min(1)).optional(),
    /** Calls each n8n webhook path received. */
    n8nCalls: z.record(z.string(), z.number().int().min(0)).optional(),
  })
  .strict();
export type ScenarioExpect = z.infer<typeof ScenarioExpect>;

export const ScenarioFaults = z
  .object({
    deepgram: DeepgramFaults.optional(),
    rime: RimeFaults.optional(),
    /** Merged over `llm.faults`. */
    llm: LlmFaults.optional(),
  })
  .strict();
export type ScenarioFaults = z.infer<typeof ScenarioFaults>;

/** A sandbox call as data: the caller's side, the LLM's behaviour, the tools' behaviour, faults. */
export const Scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes'),
    description: z.string().min(1),
    caller: CallerScript,
    llm: LlmScript,
    n8n: z
      .object({ workflows: z.array(ScenarioWorkflow).min(1) })
      .strict()
      .optional(),
    faults: ScenarioFaults.optional(),
    expect: ScenarioExpect.optional(),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
