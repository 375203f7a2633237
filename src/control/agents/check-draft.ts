import { withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { FieldIssue } from '../field-issues.js';
import { findAgent } from './agent-row.js';
import { loadDraftTools } from './load-draft-tools.js';
import { validateDraft } from './validate-draft.js';

/** What publishing the draft now would report, without publishing. */
export async function checkAgentDraft(
  deps: Deps,
  tenantId: string,
  agentId: string,
): Promise<{ publishable: boolean; issues: FieldIssue[] }> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const agent = await findAgent(tx, tenantId, agentId);
    const issues = validateDraft(agent.draft, await loadDraftTools(tx, tenantId, agent.draft.toolIds ?? []));
    return { publishable: issues.length === 0, issues };
  });
}
