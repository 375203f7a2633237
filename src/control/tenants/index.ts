export {
  type CreateTenantInput,
  createTenant,
  getTenant,
  listTenants,
  type Tenant,
  type UpdateTenantInput,
  updateTenant,
} from './tenants.js';
