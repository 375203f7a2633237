-- Post-call analysis (issue 17): one row per ended call, a durable queue the analysis worker
-- claims with FOR UPDATE SKIP LOCKED, then the stored result.
CREATE TABLE call_analyses (
  call_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  summary text,
  data jsonb,
  success boolean,
  success_reason text,
  error text,
  model text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT call_analyses_status_check CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
  CONSTRAINT call_analyses_call_tenant_fk FOREIGN KEY (tenant_id, call_id)
    REFERENCES calls (tenant_id, id) ON DELETE CASCADE
);
--> statement-breakpoint
-- The worker's scan: due rows, oldest first.
CREATE INDEX call_analyses_due_idx ON call_analyses (next_attempt_at) WHERE status IN ('pending', 'running');
--> statement-breakpoint
CREATE INDEX call_analyses_tenant_idx ON call_analyses (tenant_id, success);
--> statement-breakpoint
ALTER TABLE call_analyses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON call_analyses USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON call_analyses TO switchboard_app;
