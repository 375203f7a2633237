import { describe, expect, it } from 'vitest';
import { authorize, type Principal } from './policy.js';

const user = (
  platformRole: 'internal_admin' | 'internal_operator' | null,
  tenants: string[] = [],
): Principal => ({
  kind: 'user',
  userId: 'usr_x',
  email: 'x@example.com',
  platformRole,
  memberships: tenants.map((tenantId) => ({ tenantId, role: 'client_viewer' as const })),
  sessionId: 's',
  csrfToken: 'c',
});

describe('authorize', () => {
  it('lets an operator run agents on any tenant but not touch credentials or users', () => {
    const op = user('internal_operator');
    expect(authorize(op, 'agents:write', 'tnt_a')).toEqual({ allowed: true });
    expect(authorize(op, 'n8n:write', 'tnt_a')).toEqual({ allowed: false, reason: 'missing_permission' });
    expect(authorize(op, 'users:write')).toEqual({ allowed: false, reason: 'missing_permission' });
  });

  it('confines a client viewer to reads of its own tenants', () => {
    const viewer = user(null, ['tnt_a']);
    expect(authorize(viewer, 'calls:read', 'tnt_a')).toEqual({ allowed: true });
    expect(authorize(viewer, 'calls:read', 'tnt_b')).toEqual({ allowed: false, reason: 'other_tenant' });
    expect(authorize(viewer, 'agents:write', 'tnt_a')).toEqual({
      allowed: false,
      reason: 'missing_permission',
    });
    expect(authorize(viewer, 'tenants:list')).toEqual({ allowed: false, reason: 'missing_permission' });
  });

  it('gives an API key the role it was issued with, scoped like a user', () => {
    const key: Principal = {
      kind: 'api_key',
      keyId: 'key_x',
      role: 'client_viewer',
      tenantId: 'tnt_a',
      createdBy: null,
    };
    expect(authorize(key, 'kpis:read', 'tnt_a').allowed).toBe(true);
    expect(authorize(key, 'kpis:read', 'tnt_b').allowed).toBe(false);
    const admin: Principal = {
      kind: 'api_key',
      keyId: 'key_y',
      role: 'internal_admin',
      tenantId: null,
      createdBy: null,
    };
    expect(authorize(admin, 'retention:write', 'tnt_b').allowed).toBe(true);
  });
});
