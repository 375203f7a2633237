import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  type PgTableExtraConfigValue,
  pgTable,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, sameTenantReference, tenantScopedKey, timestamptz, updatedAt } from './columns.js';
import { tenantRef, users } from './identity.js';

/**
 * How the gateway authenticates to the tenant's n8n webhooks. Secrets are AES-256-GCM sealed
 * (`SecretBox`); `last4` is what the API shows.
 */
export type StoredWebhookAuth =
  | { kind: 'none' }
  | { kind: 'header'; name: string; valueEncrypted: string; last4: string }
  | { kind: 'basic'; username: string; passwordEncrypted: string; last4: string };

/** A tool's retry policy: attempts include the first call; backoff is the base delay before jitter. */
export interface ToolRetryPolicy {
  maxAttempts: number;
  backoffMs: number;
}

export const n8nConnections = pgTable(
  'n8n_connections',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    name: text('name').notNull(),
    baseUrl: text('base_url').notNull(),
    /** AES-256-GCM ciphertext; never returned by the API. */
    apiKeyEncrypted: text('api_key_encrypted'),
    apiKeyLast4: text('api_key_last4'),
    webhookAuth: jsonb('webhook_auth').$type<StoredWebhookAuth>().notNull().default({ kind: 'none' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('n8n_connections_tenant_idx').on(t.tenantId),
    unique('n8n_connections_tenant_name_key').on(t.tenantId, t.name),
    tenantScopedKey('n8n_connections', t),
  ],
);

export const agents = pgTable(
  'agents',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    name: text('name').notNull(),
    draft: jsonb('draft').$type<Record<string, unknown>>().notNull(),
    liveVersionId: text('live_version_id'),
    archivedAt: timestamptz('archived_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t): PgTableExtraConfigValue[] => [
    index('agents_tenant_idx').on(t.tenantId),
    tenantScopedKey('agents', t),
    sameTenantReference('agents_live_version_tenant_fk', t, t.liveVersionId, agentVersions, 'set null'),
  ],
);

export const agentVersions = pgTable(
  'agent_versions',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    agentId: text('agent_id').notNull(),
    version: integer('version').notNull(),
    /** The whole configuration, tools included, frozen at publish time. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    publishedBy: text('published_by').references(() => users.id, { onDelete: 'set null' }),
    /** Free text from the publisher: what changed and why. */
    note: text('note'),
    /** The passing test run that let this version be published (issue 17). */
    testRunId: text('test_run_id'),
    /** Set when an internal_admin published past a failing or missing test run: who and why. */
    gateOverride: jsonb('gate_override').$type<{ reason: string; by: string | null; runId: string | null }>(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('agent_versions_agent_version_key').on(t.agentId, t.version),
    index('agent_versions_tenant_idx').on(t.tenantId),
    tenantScopedKey('agent_versions', t),
    sameTenantReference('agent_versions_agent_tenant_fk', t, t.agentId, agents, 'cascade'),
  ],
);

export const tools = pgTable(
  'tools',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    inputSchema: jsonb('input_schema').$type<Record<string, unknown>>().notNull(),
    outputSchema: jsonb('output_schema').$type<Record<string, unknown>>(),
    connectionId: text('connection_id'),
    webhookPath: text('webhook_path'),
    workflowId: text('workflow_id'),
    timeoutMs: integer('timeout_ms').notNull().default(10_000),
    retry: jsonb('retry').$type<ToolRetryPolicy>().notNull().default({ maxAttempts: 3, backoffMs: 250 }),
    idempotent: boolean('idempotent').notNull().default(false),
    archivedAt: timestamptz('archived_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Archived tools keep their name in published snapshots but free it for a new tool.
    uniqueIndex('tools_tenant_name_key').on(t.tenantId, t.name).where(sql`${t.archivedAt} is null`),
    index('tools_tenant_idx').on(t.tenantId),
    index('tools_connection_idx').on(t.connectionId),
    tenantScopedKey('tools', t),
    sameTenantReference('tools_connection_tenant_fk', t, t.connectionId, n8nConnections, 'restrict'),
  ],
);

export const phoneNumbers = pgTable(
  'phone_numbers',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    /** E.164, unique across the platform: one number answers for one tenant. */
    e164: text('e164').notNull().unique(),
    agentId: text('agent_id'),
    label: text('label'),
    twilioSid: text('twilio_sid'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('phone_numbers_tenant_idx').on(t.tenantId),
    index('phone_numbers_agent_idx').on(t.agentId),
    tenantScopedKey('phone_numbers', t),
    sameTenantReference('phone_numbers_agent_tenant_fk', t, t.agentId, agents, 'set null'),
  ],
);
