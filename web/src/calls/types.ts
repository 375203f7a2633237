import type { Ok } from '../api/types';

/** The call detail as the API answers it (internal or client view). */
export type CallDetailAnswer = Ok<'/api/tenants/{tenantId}/calls/{callId}', 'get'>;
export type Kpis = Ok<'/api/tenants/{tenantId}/kpis', 'get'>;
export type KpiTotals = Kpis['totals'];

export interface CallTurn {
  seq?: number;
  speaker: string;
  text: string;
  startMs: number;
  endMs: number;
  interrupted?: boolean;
  latencyMs?: number | null;
}

export interface ToolAttempt {
  attempt: number;
  statusCode: number | null;
  outcome: string;
  durationMs: number;
  request?: unknown;
  response?: unknown;
}

export interface CallToolExecution {
  id: string;
  toolName: string;
  status: string;
  durationMs: number | null;
  error?: unknown;
  attempts?: ToolAttempt[];
}

export interface CallCost {
  provider: string;
  metric: string;
  quantity: string;
  amountUsd: string;
}

/** One shape for both views: the client view has no request or response bodies. */
export interface CallDetail {
  id: string;
  agentName: string | null;
  agentVersion: number | null;
  fromNumber: string | null;
  toNumber: string | null;
  status: string;
  endReason: string | null;
  outcome: string | null;
  startedAt: string;
  durationMs: number | null;
  legalHold: boolean;
  turns: CallTurn[];
  toolExecutions: CallToolExecution[];
  costs: CallCost[];
  totalUsd: number | null;
  recordingUrl: string | null;
  retention: {
    policyDays: number | null;
    expiresAt: string | null;
    onLegalHold: boolean;
    deletedAt: string | null;
  } | null;
}

export function callDetailFrom(answer: CallDetailAnswer): CallDetail {
  const a = answer as unknown as {
    call: Omit<CallDetail, 'turns' | 'toolExecutions' | 'costs' | 'totalUsd' | 'recordingUrl' | 'retention'>;
    transcript: CallTurn[];
    toolExecutions: CallToolExecution[];
    costs: { lines: CallCost[]; totalUsd: string } | null;
    recordingUrl: string | null;
    retention: CallDetail['retention'];
  };
  return {
    ...a.call,
    startedAt: String(a.call.startedAt),
    turns: a.transcript ?? [],
    toolExecutions: a.toolExecutions ?? [],
    costs: a.costs?.lines ?? [],
    totalUsd: a.costs ? Number(a.costs.totalUsd) : null,
    recordingUrl: a.recordingUrl ?? null,
    retention: a.retention ?? null,
  };
}
