-- White-label portal (issue 14): one branding row per tenant. The logo bytes live in the blob store;
-- the row keeps its key, sniffed type, size and digest (the digest is the logo's ETag).
CREATE TABLE IF NOT EXISTS tenant_branding (
  tenant_id text PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  display_name text,
  accent_color text,
  logo_key text,
  logo_content_type text,
  logo_size_bytes integer,
  logo_sha256 text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenant_branding_accent_color_check CHECK (accent_color IS NULL OR accent_color ~ '^#[0-9a-f]{6}$'),
  CONSTRAINT tenant_branding_logo_type_check CHECK (logo_content_type IS NULL OR logo_content_type IN ('image/png', 'image/jpeg', 'image/webp'))
);
--> statement-breakpoint
ALTER TABLE tenant_branding ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_branding USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_branding TO switchboard_app;
