import type { WebhookDefinition } from './webhook-nodes.js';

export interface Registration {
  workflowId: string;
  method: string;
  definition: WebhookDefinition;
}

export interface FoundWebhook {
  registration: Registration;
  params: Record<string, string>;
}

export interface WebhookConflict {
  trigger: { id: string | undefined; name: string };
  conflict: { webhookPath: string; method: string; workflowId: string; webhookId: string | undefined };
}

/** Registered (method, path) pairs: static paths first, then `webhookId/:param` dynamic ones. */
export class WebhookRegistry {
  private rows: Registration[] = [];

  register(workflowId: string, definitions: readonly WebhookDefinition[]): void {
    for (const definition of definitions) {
      for (const method of definition.methods) this.rows.push({ workflowId, method, definition });
    }
  }

  unregister(workflowId: string): void {
    this.rows = this.rows.filter((row) => row.workflowId !== workflowId);
  }

  /** Pairs that another workflow already holds, or that repeat within `definitions`. */
  conflicts(workflowId: string, definitions: readonly WebhookDefinition[]): WebhookConflict[] {
    const conflicts: WebhookConflict[] = [];
    const own = new Set<string>();
    for (const definition of definitions) {
      for (const method of definition.methods) {
        const key = `${method} ${definition.path}`;
        const taken = this.rows.find(
          (row) =>
            row.workflowId !== workflowId && row.method === method && row.definition.path === definition.path,
        );
        if (taken || own.has(key)) {
          conflicts.push({
            trigger: { id: definition.nodeId, name: definition.nodeName },
            conflict: {
              webhookPath: definition.path,
              method,
              workflowId: taken?.workflowId ?? workflowId,
              webhookId: definition.webhookId,
            },
          });
        }
        own.add(key);
      }
    }
    return conflicts;
  }

  find(method: string, path: string): FoundWebhook | undefined {
    const exact = this.rows.find(
      (row) => !row.definition.isDynamic && row.method === method && row.definition.path === path,
    );
    if (exact) return { registration: exact, params: {} };
    return this.findDynamic(path, method);
  }

  /** Methods registered at a path, for the "did you mean" answer. */
  methodsAt(path: string): string[] {
    const methods = this.rows.filter((row) => !row.definition.isDynamic && row.definition.path === path);
    if (methods.length > 0) return methods.map((row) => row.method);
    const dynamic = this.findDynamic(path, undefined);
    return dynamic ? [dynamic.registration.method] : [];
  }

  private findDynamic(path: string, method: string | undefined): FoundWebhook | undefined {
    const segments = path.split('/');
    let best: FoundWebhook | undefined;
    let bestStatic = -1;
    for (const row of this.rows) {
      if (!row.definition.isDynamic || (method !== undefined && row.method !== method)) continue;
      const pattern = row.definition.path.split('/');
      if (pattern.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let staticCount = 0;
      const matches = pattern.every((part, index) => {
        const actual = segments[index] ?? '';
        if (part.startsWith(':')) {
          params[part.slice(1)] = decodeURIComponent(actual);
          return actual !== '';
        }
        staticCount++;
        return part === actual;
      });
      if (matches && staticCount > bestStatic) {
        best = { registration: row, params };
        bestStatic = staticCount;
      }
    }
    return best;
  }
}
