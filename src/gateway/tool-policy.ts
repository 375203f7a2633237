import type { GatewayTool } from './types.js';

/** The retry/timeout policy of one tool, clamped to sane bounds (snapshots may predate validation). */
export interface ToolPolicy {
  /** Attempts including the first. */
  maxAttempts: number;
  /** Base delay of the exponential backoff, before jitter. */
  backoffMs: number;
  attemptTimeoutMs: number;
  idempotent: boolean;
}

export const TOOL_POLICY_DEFAULTS = { maxAttempts: 3, backoffMs: 250, timeoutMs: 10_000 } as const;

function bounded(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(max, Math.max(min, Math.floor(value)))
    : fallback;
}

export function toolPolicy(tool: GatewayTool): ToolPolicy {
  const retry: Record<string, unknown> = { ...tool.retry };
  return {
    maxAttempts: bounded(retry.maxAttempts, TOOL_POLICY_DEFAULTS.maxAttempts, 1, 10),
    backoffMs: bounded(retry.backoffMs, TOOL_POLICY_DEFAULTS.backoffMs, 0, 60_000),
    attemptTimeoutMs: bounded(tool.timeoutMs, TOOL_POLICY_DEFAULTS.timeoutMs, 1, 300_000),
    idempotent: tool.idempotent === true,
  };
}
