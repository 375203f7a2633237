import { type Static, Type } from 'typebox';
import { Nullable } from '../../lib/schema-helpers.js';

/** `#rrggbb`; stored and answered in lower case. */
export const AccentColor = Type.String({
  pattern: '^#[0-9A-Fa-f]{6}$',
  description: 'accent colour as #rrggbb (the portal uses it as its primary colour)',
});

export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 80,
  pattern: '\\S',
  description: 'name the portal shows instead of the tenant name',
});

/** PUT replaces the whole brand: a field left out or null goes back to the default. */
export const UpdateBrandingInput = Type.Object(
  {
    displayName: Type.Optional(Nullable(DisplayName)),
    accentColor: Type.Optional(Nullable(AccentColor)),
  },
  { additionalProperties: false },
);
export type UpdateBrandingInput = Static<typeof UpdateBrandingInput>;

export const LOGO_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoContentType = (typeof LOGO_CONTENT_TYPES)[number];

/** Largest logo accepted, in bytes. */
export const MAX_LOGO_BYTES = 256 * 1024;

export const BrandingLogo = Type.Object(
  {
    contentType: Type.Unsafe<LogoContentType>({ type: 'string', enum: [...LOGO_CONTENT_TYPES] }),
    sizeBytes: Type.Integer(),
    url: Type.String({ description: 'where the portal loads the logo (changes when the logo does)' }),
  },
  { additionalProperties: false },
);

export const TenantBranding = Type.Object(
  {
    tenantId: Type.String(),
    /** The tenant's own name: what the portal shows when no display name is set. */
    tenantName: Type.String(),
    displayName: Nullable(Type.String()),
    accentColor: Nullable(Type.String()),
    logo: Nullable(BrandingLogo),
    updatedAt: Nullable(Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type TenantBranding = Static<typeof TenantBranding>;
