import { type TString, Type } from 'typebox';
import type { IdKind } from '../lib/ids.js';
import { Id, PageQuery, Strict, TenantParams } from './schemas.js';

/** The params of a route on one resource of a tenant: `/api/tenants/:tenantId/<resources>/:<key>`. */
export function tenantResourceParams<K extends string>(key: K, kind: IdKind) {
  return Strict({ ...TenantParams.properties, ...({ [key]: Id(kind) } as Record<K, TString>) });
}

export const AgentParams = tenantResourceParams('agentId', 'agent');
export const ToolParams = tenantResourceParams('toolId', 'tool');

/** A page of resources that are archived rather than deleted: archived ones only when asked for. */
export const ArchivableListQuery = Strict({
  ...PageQuery.properties,
  includeArchived: Type.Optional(Type.Boolean()),
});
