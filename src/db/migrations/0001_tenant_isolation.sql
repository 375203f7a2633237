-- Tenant isolation in the database (defence in depth under the application's own scoping).
-- The application runs tenant work as `switchboard_app`, a role without BYPASSRLS, after setting
-- `app.tenant_id` for the transaction. Cross-tenant work (internal staff, the telephony webhook)
-- sets `app.all_tenants = 'on'` through one audited code path (src/db/scope.ts).
DO $$
BEGIN
  CREATE ROLE switchboard_app NOLOGIN NOBYPASSRLS;
EXCEPTION
  WHEN duplicate_object THEN NULL;
  WHEN unique_violation THEN NULL;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('GRANT switchboard_app TO %I', current_user);
EXCEPTION
  WHEN others THEN NULL;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO switchboard_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO switchboard_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO switchboard_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO switchboard_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO switchboard_app;
--> statement-breakpoint
CREATE FUNCTION switchboard_tenant_visible(row_tenant text) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT current_setting('app.all_tenants', true) = 'on' OR row_tenant = current_setting('app.tenant_id', true) $$;
--> statement-breakpoint
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenants USING (switchboard_tenant_visible(id)) WITH CHECK (switchboard_tenant_visible(id));
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'memberships', 'audit_log', 'retention_policies', 'n8n_connections', 'agents', 'agent_versions',
    'tools', 'phone_numbers', 'calls', 'call_events', 'utterances', 'recordings', 'tool_executions',
    'tool_execution_attempts', 'call_costs', 'daily_kpis', 'deletion_audit'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id))',
      t
    );
  END LOOP;
END
$$;
