import { and, asc, eq, isNull } from 'drizzle-orm';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';
import { normaliseBaseUrl } from '../n8n/index.js';
import type { Gateway } from './gateway.js';
import type { CircuitView } from './resilience.js';

export interface ToolCircuit extends CircuitView {
  toolId: string;
  toolName: string;
}

/** The circuits of one n8n connection: the instance's own, and each bound tool's workflow circuit. */
export interface ConnectionCircuits {
  connectionId: string;
  connection: CircuitView;
  tools: ToolCircuit[];
}

/**
 * What this process's gateway knows about a connection's circuits, for the console: an open
 * connection circuit stops every tool on that n8n, an open tool circuit only that tool.
 */
export async function connectionCircuits(
  deps: Deps,
  gateway: Gateway,
  tenantId: string,
  connectionId: string,
): Promise<ConnectionCircuits> {
  const { n8nConnections, tools } = tables;
  const { connection, bound } = await withTenant(deps.db, tenantId, async (tx) => {
    const [row] = await tx
      .select({ baseUrl: n8nConnections.baseUrl })
      .from(n8nConnections)
      .where(and(eq(n8nConnections.id, connectionId), eq(n8nConnections.tenantId, tenantId)));
    const rows = row
      ? await tx
          .select({ id: tools.id, name: tools.name })
          .from(tools)
          .where(and(eq(tools.connectionId, connectionId), isNull(tools.archivedAt)))
          .orderBy(asc(tools.name))
      : [];
    return { connection: row, bound: rows };
  });
  if (!connection) throw new AppError('N8N_CONNECTION_NOT_FOUND', 'n8n connection not found');
  const baseUrl = normaliseBaseUrl(connection.baseUrl);
  return {
    connectionId,
    connection: baseUrl.ok
      ? gateway.connectionCircuit(connectionId, baseUrl.value)
      : { state: 'closed', consecutiveFailures: 0, retryInMs: null },
    tools: bound.map((tool) => ({ toolId: tool.id, toolName: tool.name, ...gateway.toolCircuit(tool.id) })),
  };
}
