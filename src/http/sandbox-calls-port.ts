import type { CallerEvent, Scenario, TranscriptEntry } from '@switchboard/sandbox';
import type { CallEndReason } from '../db/index.js';

/*
 * What the API's sandbox routes (sandbox calls, agent test runs) drive: placing a simulated call
 * through the whole stack. The composition root implements it (`platform/sandbox-calls.ts`).
 */

export interface SandboxCallInput {
  to: string;
  scenario: Scenario;
  /** Playout speed: 1 = real time (the default, so calls go at the sandbox's human pace). */
  speed?: number;
  onEvent?: (event: CallerEvent) => void;
  /** Runs once the CallSid is chosen, before the call is dialled (a test run names its version here). */
  beforeDial?: (callSid: string) => Promise<void>;
}

export interface SandboxCallResult {
  callId: string | null;
  callSid: string;
  status: string | null;
  endReason: CallEndReason | null;
  transcript: TranscriptEntry[];
  /** Unmet `expect` entries of the scenario; empty when it went as scripted. */
  problems: string[];
  /**
   * How the emulated line kept time: frames played to the caller and how late the worst frame went
   * out after its time on the line clock (ms, wall clock). Above a frame (20 ms) the process
   * carrying the call stalled (its own work, a long synchronous task, or a busy machine).
   */
  line?: { frames: number; maxLateMs: number };
}

export interface SandboxCalls {
  place(input: SandboxCallInput): Promise<SandboxCallResult>;
  /** Makes the scenario's n8n workflows answer their paths (the demo's tools call fixed paths). */
  installWorkflows(scenario: Scenario): void;
}
