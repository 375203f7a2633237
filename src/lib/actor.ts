/** Who performs a state change, for the audit log. `audited` is set once a domain function recorded it. */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  id: string | null;
  requestId?: string;
  ip?: string;
  audited?: boolean;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null };
