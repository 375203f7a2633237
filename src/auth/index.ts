export {
  type CreateApiKeyInput,
  createApiKey,
  listApiKeys,
  resolveApiKey,
  revokeApiKey,
} from './api-keys.js';
export { listUsers, publicUserColumns } from './list-users.js';
export { type LoginInput, type LoginLimits, login } from './login.js';
export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
export {
  type AccessDecision,
  authorize,
  GRANTS,
  isPlatformRole,
  PERMISSIONS,
  type Permission,
  type PlatformRole,
  type Principal,
  primaryRole,
  ROLES,
  type Role,
  type RouteAccess,
  roleFor,
} from './policy.js';
export { describePrincipal, loadMemberships } from './principals.js';
export {
  createSession,
  deleteExpiredSessions,
  resolveSession,
  revokeSession,
  revokeUserSessions,
} from './sessions.js';
export { safeEqual } from './tokens.js';
export { addMembership, type CreateUserInput, createUser, findUserByEmail, normaliseEmail } from './users.js';
