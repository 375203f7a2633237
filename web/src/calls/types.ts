import type { Ok } from '../api/types';

/** The call detail as the API answers it: the internal view, or the client view without bodies. */
export type CallDetailAnswer = Ok<'/api/tenants/{tenantId}/calls/{callId}', 'get'>;
export type Kpis = Ok<'/api/tenants/{tenantId}/kpis', 'get'>;
export type KpiTotals = Kpis['totals'];

type InternalAnswer = Extract<CallDetailAnswer, { view: 'internal' }>;
type ClientAnswer = Extract<CallDetailAnswer, { view: 'client' }>;
type InternalExecution = InternalAnswer['toolExecutions'][number];
type ClientExecution = ClientAnswer['toolExecutions'][number];
type InternalAttempt = InternalExecution['attempts'][number];

export type CallTurn = CallDetailAnswer['transcript'][number];
export type CallCost = CallDetailAnswer['costs']['lines'][number];
/** An attempt of either view; only the internal view carries the request and response bodies. */
export type ToolAttempt = ClientExecution['attempts'][number] &
  Partial<Pick<InternalAttempt, 'errorClass' | 'request' | 'response'>>;
/** A tool execution of either view; only the internal view carries arguments, result and error. */
export type CallToolExecution = Omit<ClientExecution, 'attempts'> &
  Partial<Pick<InternalExecution, 'arguments' | 'result' | 'error'>> & { attempts: ToolAttempt[] };

/** One shape for both views, as the call detail screen shows it. */
export type CallDetail = CallDetailAnswer['call'] & {
  turns: CallTurn[];
  toolExecutions: CallToolExecution[];
  costs: CallCost[];
  totalUsd: number;
  recordingUrl: string | null;
  retention: CallDetailAnswer['retention'];
};

export function callDetailFrom(answer: CallDetailAnswer): CallDetail {
  return {
    ...answer.call,
    turns: answer.transcript,
    toolExecutions: answer.toolExecutions,
    costs: answer.costs.lines,
    totalUsd: Number(answer.costs.totalUsd),
    recordingUrl: answer.recordingUrl,
    retention: answer.retention,
  };
}
