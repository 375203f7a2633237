/** The white-label portal: a tenant's display name, accent colour and logo. */
export { getBranding, updateBranding } from './branding.js';
export {
  AccentColor,
  LOGO_CONTENT_TYPES,
  MAX_LOGO_BYTES,
  TenantBranding,
  UpdateBrandingInput,
} from './branding-schemas.js';
export { deleteLogo, type LogoFile, readLogo, setLogo } from './logo.js';
