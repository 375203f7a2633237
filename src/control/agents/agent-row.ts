import { and, eq } from 'drizzle-orm';
import { type Tx, tables, tenantRowFinder } from '../../db/index.js';
import { AppError } from '../../lib/errors.js';
import type { AgentConfig, AgentDraft } from './agent-config.js';

export type AgentRow = typeof tables.agents.$inferSelect;
export type AgentVersionRow = typeof tables.agentVersions.$inferSelect;

export interface Agent {
  id: string;
  tenantId: string;
  name: string;
  draft: AgentDraft;
  liveVersionId: string | null;
  /** Number of the live version; null until the first publish. */
  liveVersion: number | null;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AgentVersion {
  id: string;
  agentId: string;
  version: number;
  config: AgentConfig;
  note: string | null;
  publishedBy: string | null;
  /** The passing test run that let this version through the publish gate. */
  testRunId: string | null;
  /** When an internal_admin published past the tests: the reason, who, and the run that failed. */
  gateOverride: { reason: string; by: string | null; runId: string | null } | null;
  createdAt: Date;
  live: boolean;
}

export const agentColumns = {
  id: tables.agents.id,
  tenantId: tables.agents.tenantId,
  name: tables.agents.name,
  draft: tables.agents.draft,
  liveVersionId: tables.agents.liveVersionId,
  liveVersion: tables.agentVersions.version,
  archivedAt: tables.agents.archivedAt,
  createdAt: tables.agents.createdAt,
  updatedAt: tables.agents.updatedAt,
};

export function toAgent(row: Omit<Agent, 'draft'> & { draft: unknown }): Agent {
  return { ...row, draft: row.draft as AgentDraft };
}

export async function findAgent(tx: Tx, tenantId: string, agentId: string): Promise<Agent> {
  const [row] = await tx
    .select(agentColumns)
    .from(tables.agents)
    .leftJoin(tables.agentVersions, eq(tables.agentVersions.id, tables.agents.liveVersionId))
    .where(and(eq(tables.agents.tenantId, tenantId), eq(tables.agents.id, agentId)));
  if (!row) throw new AppError('AGENT_NOT_FOUND', 'agent not found');
  return toAgent(row);
}

const findAgentRow = tenantRowFinder(tables.agents, () => new AppError('AGENT_NOT_FOUND', 'agent not found'));

/** Locks the agent row: publishing and rollback serialise on it. */
export function lockAgent(tx: Tx, tenantId: string, agentId: string): Promise<AgentRow> {
  return findAgentRow(tx, tenantId, agentId, true);
}

/** Locks the agent for a change that an archived agent no longer takes (edit, publish, rollback). */
export async function lockActiveAgent(tx: Tx, tenantId: string, agentId: string): Promise<AgentRow> {
  const row = await lockAgent(tx, tenantId, agentId);
  if (row.archivedAt) throw new AppError('AGENT_NOT_FOUND', 'agent is archived');
  return row;
}

export function toAgentVersion(row: AgentVersionRow, liveVersionId: string | null): AgentVersion {
  return {
    id: row.id,
    agentId: row.agentId,
    version: row.version,
    config: row.config as AgentConfig,
    note: row.note,
    publishedBy: row.publishedBy,
    testRunId: row.testRunId ?? null,
    gateOverride: row.gateOverride ?? null,
    createdAt: row.createdAt,
    live: row.id === liveVersionId,
  };
}

export async function findVersion(
  tx: Tx,
  tenantId: string,
  agentId: string,
  version: number,
): Promise<AgentVersionRow> {
  const v = tables.agentVersions;
  const [row] = await tx
    .select()
    .from(v)
    .where(and(eq(v.tenantId, tenantId), eq(v.agentId, agentId), eq(v.version, version)));
  if (!row) throw new AppError('AGENT_VERSION_NOT_FOUND', `agent has no version ${version}`);
  return row;
}
