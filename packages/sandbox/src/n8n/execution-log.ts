export type N8nExecutionStatus = 'running' | 'success' | 'error' | 'canceled' | 'crashed';

/** The request that started an execution, as the webhook received it. */
export interface N8nWebhookRequest {
  method: string;
  /** Path after `/webhook/` or `/webhook-test/`. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed body: JSON, form fields, text, or `{}` when empty. */
  body: unknown;
  rawBody: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
}

/** One workflow run started by a webhook call, with what the caller got back. */
export interface N8nExecutionRecord {
  id: string;
  workflowId: string;
  /** `webhook` for production URLs, `manual` for test URLs. */
  mode: 'webhook' | 'manual';
  status: N8nExecutionStatus;
  startedAt: string;
  stoppedAt: string | null;
  /** Webhook call number for this workflow (what script sequences count), 1-based. */
  callNumber: number;
  request: N8nWebhookRequest;
  /** The webhook node's output item (`$json` for the next node). */
  item: Record<string, unknown>;
  /** What the caller got: the status sent, or that nothing could be sent. */
  response: { status: number | undefined; delivered: boolean; kind: string } | undefined;
  error: string | undefined;
  lastNodeExecuted: string;
}

export interface ExecutionFilter {
  workflowId?: string | undefined;
  status?: string | undefined;
}

/** Executions in id order; the public API lists them newest first. */
export class ExecutionLog {
  private readonly records: N8nExecutionRecord[] = [];
  private sequence = 0;

  constructor(private readonly now: () => number) {}

  start(
    input: Omit<N8nExecutionRecord, 'id' | 'status' | 'startedAt' | 'stoppedAt' | 'response' | 'error'>,
  ): N8nExecutionRecord {
    const record: N8nExecutionRecord = {
      ...input,
      id: String(++this.sequence),
      status: 'running',
      startedAt: new Date(this.now()).toISOString(),
      stoppedAt: null,
      response: undefined,
      error: undefined,
    };
    this.records.push(record);
    return record;
  }

  finish(record: N8nExecutionRecord, status: N8nExecutionStatus, error?: string): void {
    record.status = status;
    record.stoppedAt = new Date(this.now()).toISOString();
    if (error !== undefined) record.error = error;
  }

  all(filter: ExecutionFilter = {}): N8nExecutionRecord[] {
    return this.records.filter(
      (record) =>
        (filter.workflowId === undefined || record.workflowId === filter.workflowId) &&
        (filter.status === undefined || record.status === filter.status),
    );
  }

  get(id: string): N8nExecutionRecord | undefined {
    return this.records.find((record) => record.id === id);
  }

  delete(id: string): N8nExecutionRecord | undefined {
    const index = this.records.findIndex((record) => record.id === id);
    return index === -1 ? undefined : this.records.splice(index, 1)[0];
  }

  /** Newest first, ids below `lastId` when given; `more` tells whether another page exists. */
  page(
    filter: ExecutionFilter,
    limit: number,
    lastId: string | undefined,
  ): { page: N8nExecutionRecord[]; more: boolean } {
    const below = lastId === undefined ? Number.POSITIVE_INFINITY : Number(lastId);
    const candidates = this.all(filter)
      .filter((record) => Number(record.id) < below)
      .reverse();
    return { page: candidates.slice(0, limit), more: candidates.length > limit };
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** An execution as the public API returns it; `data` only with `includeData=true`. */
export function executionToApi(record: N8nExecutionRecord, includeData: boolean): object {
  const base = {
    id: record.id,
    finished: record.status === 'success',
    mode: record.mode,
    retryOf: null,
    retrySuccessId: null,
    status: record.status,
    startedAt: record.startedAt,
    stoppedAt: record.stoppedAt,
    workflowId: record.workflowId,
    waitTill: null,
    customData: {},
  };
  if (!includeData) return base;
  return {
    ...base,
    data: {
      resultData: {
        runData: {
          [record.lastNodeExecuted]: [
            {
              startTime: Date.parse(record.startedAt),
              executionStatus: record.status,
              data: { main: [[{ json: record.item }]] },
            },
          ],
        },
        lastNodeExecuted: record.lastNodeExecuted,
        ...(record.error ? { error: { message: record.error } } : {}),
      },
    },
  };
}
