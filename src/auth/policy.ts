/**
 * The one RBAC policy. Every route names a permission from PERMISSIONS (or `public` /
 * `authenticated`); roles grant permissions; internal roles act on every tenant, client viewers only on
 * the tenants they are members of, read-only.
 */
export const ROLES = ['internal_admin', 'internal_operator', 'client_viewer'] as const;
export type Role = (typeof ROLES)[number];
export type PlatformRole = Extract<Role, 'internal_admin' | 'internal_operator'>;

export const PERMISSIONS = [
  'tenants:list',
  'tenants:read',
  'tenants:write',
  'users:read',
  'users:write',
  'api_keys:read',
  'api_keys:write',
  'audit:read',
  'agents:read',
  'agents:write',
  'tools:read',
  'tools:write',
  'numbers:read',
  'numbers:write',
  'n8n:read',
  'n8n:write',
  'calls:read',
  'calls:inspect',
  'recordings:read',
  'kpis:read',
  'sandbox:call',
  'legal_hold:write',
  'retention:read',
  'retention:write',
  'branding:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type RouteAccess = Permission | 'public' | 'authenticated';

/** Critical security changes only an internal_admin may make. */
const ADMIN_ONLY: ReadonlySet<Permission> = new Set([
  'users:write',
  'api_keys:read',
  'api_keys:write',
  'n8n:write',
  'legal_hold:write',
  'retention:write',
  'branding:write',
]);

const CLIENT_VIEWER: ReadonlySet<Permission> = new Set([
  'tenants:read',
  'calls:read',
  'recordings:read',
  'kpis:read',
]);

export const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  internal_admin: new Set(PERMISSIONS),
  internal_operator: new Set(PERMISSIONS.filter((p) => !ADMIN_ONLY.has(p))),
  client_viewer: CLIENT_VIEWER,
};

export function isPlatformRole(role: Role): role is PlatformRole {
  return role === 'internal_admin' || role === 'internal_operator';
}

/** Who is asking: a person through a session, or a machine through an API key. */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      platformRole: PlatformRole | null;
      /** Tenants a client user belongs to, with the role held there. */
      memberships: ReadonlyArray<{ tenantId: string; role: Role }>;
      sessionId: string;
      csrfToken: string;
    }
  | { kind: 'api_key'; keyId: string; role: Role; tenantId: string | null; createdBy: string | null };

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; reason: 'missing_permission' | 'other_tenant' };

/** The role a principal holds for a tenant (or platform-wide when tenantId is undefined). */
export function roleFor(principal: Principal, tenantId: string | undefined): Role | null {
  if (principal.kind === 'api_key') {
    if (isPlatformRole(principal.role)) return principal.role;
    return tenantId !== undefined && principal.tenantId === tenantId ? principal.role : null;
  }
  if (principal.platformRole) return principal.platformRole;
  if (tenantId === undefined) return null;
  return principal.memberships.find((m) => m.tenantId === tenantId)?.role ?? null;
}

/**
 * May `principal` use `permission`, on `tenantId` when the route is tenant-scoped? Pure: the caller
 * turns a denial into its error.
 */
export function authorize(principal: Principal, permission: Permission, tenantId?: string): AccessDecision {
  const role = roleFor(principal, tenantId);
  if (role === null) {
    const holdsAnyRole =
      principal.kind === 'api_key' || principal.platformRole !== null || principal.memberships.length > 0;
    if (
      tenantId !== undefined &&
      holdsAnyRole &&
      clientRoles(principal).some((r) => GRANTS[r].has(permission))
    ) {
      return { allowed: false, reason: 'other_tenant' };
    }
    return { allowed: false, reason: 'missing_permission' };
  }
  return GRANTS[role].has(permission) ? { allowed: true } : { allowed: false, reason: 'missing_permission' };
}

function clientRoles(principal: Principal): Role[] {
  return principal.kind === 'api_key' ? [principal.role] : principal.memberships.map((m) => m.role);
}

/** The principal's highest role anywhere: what the UI and /api/auth/me show. */
export function primaryRole(principal: Principal): Role | null {
  if (principal.kind === 'api_key') return principal.role;
  return principal.platformRole ?? principal.memberships[0]?.role ?? null;
}
