/**
 * Call detail and KPI shapes of the calls-analytics API (issue 12) as this app reads them. These
 * routes were not on main when the screens were built, so the app reads them defensively through
 * `apiFetch`; once their OpenAPI types are generated, these give way to `Ok<…>` types.
 */
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
  turn?: number | null;
  error?: { code: string; message: string } | null;
  arguments?: unknown;
  result?: unknown;
  attempts?: ToolAttempt[];
}

export interface CallCost {
  provider: string;
  metric: string;
  quantity?: number;
  amountUsd?: number;
  amount?: number;
}

export interface CallDetail {
  id: string;
  tenantId: string;
  agentId: string | null;
  agentName?: string | null;
  agentVersion?: number | null;
  fromNumber: string | null;
  toNumber: string | null;
  transport?: string | null;
  status: string;
  endReason: string | null;
  outcome?: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  legalHold?: boolean;
  turns?: CallTurn[];
  transcript?: CallTurn[];
  toolExecutions?: CallToolExecution[];
  costs?: { totalUsd?: number; total?: number; items?: CallCost[] } | CallCost[];
  recording?: { durationMs?: number; bytes?: number; contentType?: string } | null;
  recordingUrl?: string | null;
  retention?: {
    expiresAt?: string | null;
    onLegalHold?: boolean;
    deletedAt?: string | null;
    legalHoldReason?: string | null;
  };
}

export interface KpiTotals {
  calls?: number;
  answered?: number;
  completed?: number;
  failed?: number;
  avgDurationMs?: number | null;
  p95DurationMs?: number | null;
  containmentRate?: number | null;
  toolSuccessRate?: number | null;
  avgTurnLatencyMs?: number | null;
  costUsd?: number | null;
}

export interface KpiDay extends KpiTotals {
  day?: string;
  date?: string;
}

export interface Kpis {
  from?: string;
  to?: string;
  totals: KpiTotals;
  daily?: KpiDay[];
  series?: KpiDay[];
  previous?: { from?: string; to?: string; totals: KpiTotals } | KpiTotals;
}

export const turnsOf = (d: CallDetail): CallTurn[] => d.turns ?? d.transcript ?? [];

export function costsOf(d: CallDetail): { items: CallCost[]; total: number | null } {
  const c = d.costs;
  if (!c) return { items: [], total: null };
  if (Array.isArray(c)) return { items: c, total: c.reduce((s, i) => s + (i.amountUsd ?? i.amount ?? 0), 0) };
  const items = c.items ?? [];
  return {
    items,
    total: c.totalUsd ?? c.total ?? items.reduce((s, i) => s + (i.amountUsd ?? i.amount ?? 0), 0),
  };
}
