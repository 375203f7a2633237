import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { updatedAt } from './columns.js';
import { tenants } from './identity.js';

/** A tenant's white-label portal brand (0008_tenant_branding); the logo bytes are in the blob store. */
export const tenantBranding = pgTable('tenant_branding', {
  tenantId: text('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  displayName: text('display_name'),
  /** `#rrggbb`, lower case. */
  accentColor: text('accent_color'),
  logoKey: text('logo_key'),
  logoContentType: text('logo_content_type', { enum: ['image/png', 'image/jpeg', 'image/webp'] }),
  logoSizeBytes: integer('logo_size_bytes'),
  logoSha256: text('logo_sha256'),
  updatedBy: text('updated_by'),
  updatedAt: updatedAt(),
});
