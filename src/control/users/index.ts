export { inviteUser } from './invite-user.js';
export { getUser } from './list-users.js';
export {
  addTenantMember,
  listTenantMembers,
  listUserMemberships,
  type Membership,
  removeMembership,
} from './memberships.js';
export {
  issuePasswordReset,
  type PasswordToken,
  redeemPasswordToken,
  setUserPassword,
} from './password-tokens.js';
export { setUserDisabled, type UpdateUserInput, updateUser } from './update-user.js';
export type { User } from './user-row.js';
