-- Retention, legal hold and deletion audit (issue 13).
-- Columns on calls, in one block (other branches add the same content_deleted_at: IF NOT EXISTS).
ALTER TABLE calls ADD COLUMN IF NOT EXISTS content_deleted_at timestamptz;
--> statement-breakpoint
ALTER TABLE calls ADD COLUMN IF NOT EXISTS legal_hold_reason text;
--> statement-breakpoint
ALTER TABLE calls ADD COLUMN IF NOT EXISTS legal_hold_at timestamptz;
--> statement-breakpoint
ALTER TABLE calls ADD COLUMN IF NOT EXISTS legal_hold_by text;
--> statement-breakpoint
-- The cleanup job's scan: ended calls whose content still exists, oldest first, per tenant.
CREATE INDEX IF NOT EXISTS calls_retention_idx ON calls (tenant_id, (coalesce(ended_at, started_at)), id) WHERE content_deleted_at IS NULL;
--> statement-breakpoint
ALTER TABLE deletion_audit ADD COLUMN IF NOT EXISTS policy_days integer;
--> statement-breakpoint
CREATE UNIQUE INDEX deletion_audit_run_call_key ON deletion_audit (run_id, call_id);
--> statement-breakpoint
CREATE TABLE retention_runs (
  id text PRIMARY KEY,
  tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
  dry_run boolean NOT NULL,
  trigger text NOT NULL,
  actor_id text,
  as_of timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'running',
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  calls_examined integer NOT NULL DEFAULT 0,
  calls_cleaned integer NOT NULL DEFAULT 0,
  skipped_hold integer NOT NULL DEFAULT 0,
  errors integer NOT NULL DEFAULT 0,
  error_message text
);
--> statement-breakpoint
CREATE INDEX retention_runs_started_idx ON retention_runs (started_at);
--> statement-breakpoint
-- A call whose content deletion has begun: its blob keys are written here before any blob is
-- deleted, and the row goes in the transaction that deletes the call's rows. What a crash leaves
-- here is finished by the next run.
CREATE TABLE retention_pending (
  call_id text PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  run_id text NOT NULL,
  policy_days integer NOT NULL,
  blob_keys jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
ALTER TABLE retention_runs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON retention_runs USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE retention_pending ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON retention_pending USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON retention_runs, retention_pending TO switchboard_app;
