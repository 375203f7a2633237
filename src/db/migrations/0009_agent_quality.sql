-- Agent quality (issue 17): test suites per agent (cases with their revision history), test runs
-- with a result per case, and the run (or the audited override) that let a version be published.
CREATE TABLE agent_test_cases (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  agent_id text NOT NULL,
  name text NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  spec jsonb NOT NULL,
  expect jsonb NOT NULL,
  source_call_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT agent_test_cases_tenant_id_id_unique UNIQUE (tenant_id, id),
  CONSTRAINT agent_test_cases_agent_tenant_fk FOREIGN KEY (tenant_id, agent_id)
    REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
--> statement-breakpoint
CREATE INDEX agent_test_cases_agent_idx ON agent_test_cases (tenant_id, agent_id, created_at);
--> statement-breakpoint
CREATE TABLE agent_test_case_revisions (
  case_id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  revision integer NOT NULL,
  name text NOT NULL,
  spec jsonb NOT NULL,
  expect jsonb NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  actor_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, revision),
  CONSTRAINT agent_test_case_revisions_case_tenant_fk FOREIGN KEY (tenant_id, case_id)
    REFERENCES agent_test_cases (tenant_id, id) ON DELETE CASCADE
);
--> statement-breakpoint
CREATE TABLE agent_test_runs (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  agent_id text NOT NULL,
  agent_version_id text,
  version integer,
  config_hash text NOT NULL,
  suite_hash text NOT NULL,
  status text NOT NULL DEFAULT 'queued',
  total integer NOT NULL DEFAULT 0,
  completed integer NOT NULL DEFAULT 0,
  passed integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  error_message text,
  started_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CONSTRAINT agent_test_runs_tenant_id_id_unique UNIQUE (tenant_id, id),
  CONSTRAINT agent_test_runs_agent_tenant_fk FOREIGN KEY (tenant_id, agent_id)
    REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT agent_test_runs_version_tenant_fk FOREIGN KEY (tenant_id, agent_version_id)
    REFERENCES agent_versions (tenant_id, id) ON DELETE CASCADE
);
--> statement-breakpoint
CREATE INDEX agent_test_runs_agent_idx ON agent_test_runs (tenant_id, agent_id, created_at DESC);
--> statement-breakpoint
CREATE INDEX agent_test_runs_config_idx ON agent_test_runs (tenant_id, agent_id, config_hash);
--> statement-breakpoint
CREATE TABLE agent_test_results (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  run_id text NOT NULL,
  case_id text NOT NULL,
  case_name text NOT NULL,
  case_revision integer NOT NULL,
  status text NOT NULL,
  reasons jsonb NOT NULL,
  transcript jsonb NOT NULL,
  tool_trace jsonb NOT NULL,
  latency jsonb NOT NULL,
  call_id text,
  duration_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agent_test_results_run_tenant_fk FOREIGN KEY (tenant_id, run_id)
    REFERENCES agent_test_runs (tenant_id, id) ON DELETE CASCADE
);
--> statement-breakpoint
CREATE INDEX agent_test_results_run_idx ON agent_test_results (run_id, created_at);
--> statement-breakpoint
ALTER TABLE agent_versions ADD COLUMN IF NOT EXISTS test_run_id text;
--> statement-breakpoint
ALTER TABLE agent_versions ADD COLUMN IF NOT EXISTS gate_override jsonb;
--> statement-breakpoint
ALTER TABLE agent_test_cases ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_test_cases USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE agent_test_case_revisions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_test_case_revisions USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE agent_test_runs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_test_runs USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
ALTER TABLE agent_test_results ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_test_results USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON agent_test_cases, agent_test_case_revisions, agent_test_runs, agent_test_results TO switchboard_app;
