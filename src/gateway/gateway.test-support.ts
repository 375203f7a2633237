import { randomBytes } from 'node:crypto';
import { createTenant } from '../control/tenants/index.js';
import { type StoredWebhookAuth, tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { newId } from '../lib/ids.js';
import type { Clock } from './clock.js';
import { getToolExecution } from './list-tool-executions.js';
import type { GatewayTool } from './types.js';

/**
 * Real monotonic time plus skipped time: `sleep` records the wait and returns at once; `advance`
 * moves time on without waiting (an open circuit's cool-down, for instance).
 */
export function virtualClock(): Clock & { sleeps: number[]; advance(ms: number): void } {
  let skipped = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => performance.now() + skipped,
    sleep: async (ms) => {
      sleeps.push(ms);
      skipped += ms;
    },
    advance: (ms) => {
      skipped += ms;
    },
  };
}

export async function createTestTenant(deps: Deps): Promise<string> {
  const tag = randomBytes(4).toString('hex');
  return (await createTenant(deps, SYSTEM_ACTOR, { name: `Gateway ${tag}`, slug: `gw-${tag}` })).id;
}

export type TestWebhookAuth =
  | { kind: 'none' }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'basic'; username: string; password: string };

/** Inserts an n8n connection the way the control plane stores it: secrets sealed. */
export async function insertConnection(
  deps: Deps,
  tenantId: string,
  input: { baseUrl: string; apiKey?: string; auth?: TestWebhookAuth },
): Promise<string> {
  const auth = input.auth ?? { kind: 'none' };
  const webhookAuth: StoredWebhookAuth =
    auth.kind === 'header'
      ? {
          kind: 'header',
          name: auth.name,
          valueEncrypted: deps.secrets.seal(auth.value),
          last4: auth.value.slice(-4),
        }
      : auth.kind === 'basic'
        ? {
            kind: 'basic',
            username: auth.username,
            passwordEncrypted: deps.secrets.seal(auth.password),
            last4: auth.password.slice(-4),
          }
        : { kind: 'none' };
  const id = newId('n8nConnection');
  await withTenant(deps.db, tenantId, (tx) =>
    tx.insert(tables.n8nConnections).values({
      id,
      tenantId,
      name: `n8n ${id}`,
      baseUrl: input.baseUrl,
      apiKeyEncrypted: input.apiKey ? deps.secrets.seal(input.apiKey) : null,
      apiKeyLast4: input.apiKey?.slice(-4) ?? null,
      webhookAuth,
    }),
  );
  return id;
}

export const BOOKING_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    date: { type: 'string', format: 'date' },
    partySize: { type: 'integer', minimum: 1, maximum: 12 },
  },
  required: ['name', 'date'],
  additionalProperties: false,
} as const;

/** Inserts a tool row bound to a webhook and returns it as the gateway takes it. */
export async function insertTool(
  deps: Deps,
  tenantId: string,
  input: Partial<Omit<GatewayTool, 'id'>> & { webhookPath: string; connectionId: string },
): Promise<GatewayTool> {
  const tool: GatewayTool = {
    id: newId('tool'),
    name: `book_table_${randomBytes(3).toString('hex')}`,
    description: 'Books a table',
    inputSchema: { ...BOOKING_SCHEMA },
    outputSchema: null,
    workflowId: null,
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, backoffMs: 100 },
    idempotent: false,
    ...input,
  };
  await withTenant(deps.db, tenantId, (tx) => tx.insert(tables.tools).values({ ...tool, tenantId }));
  return tool;
}

/** The execution row and its attempt rows, as the console reads them. */
export function executionRows(deps: Deps, tenantId: string, executionId: string) {
  return getToolExecution(deps, tenantId, executionId);
}
