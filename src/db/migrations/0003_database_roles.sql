-- Database roles: what each path of the application may touch (issue 10, finding 6).
--
-- switchboard_app (0001) is the tenant scope: `withTenant`/`withAllTenants` switch to it, and
-- row-level security confines it to tenant rows. It loses every grant on the identity tables
-- (users, sessions, password_tokens, api_keys): a query inside a tenant transaction can neither read
-- a password hash nor promote a user. api_keys carries a tenant_id but stays out of tenant scope
-- instead of getting a tenant policy: a key is resolved by its hash before any tenant is known, and
-- platform keys have no tenant at all, so it belongs to the identity path like sessions.
--
-- switchboard_auth is the identity path: the auth code runs on the server's own login role, which is
-- granted switchboard_app and switchboard_auth (see the README, "Database roles"). It may read and
-- write the identity tables, read tenants and memberships (to check a key's tenant and build a
-- principal), and append audit rows; every other tenant table stays under its tenant policy, so an
-- unscoped query (or RESET ROLE inside a tenant transaction) sees only the tenant set for it.
--
-- 0001 granted switchboard_app every future table by default privileges: a new identity table must
-- revoke that grant and grant switchboard_auth, as below.
DO $$
BEGIN
  CREATE ROLE switchboard_auth NOLOGIN NOBYPASSRLS;
EXCEPTION
  WHEN duplicate_object THEN NULL;
  WHEN unique_violation THEN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON TABLE users, sessions, password_tokens, api_keys FROM switchboard_app;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO switchboard_auth;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE users, sessions, password_tokens, api_keys TO switchboard_auth;
--> statement-breakpoint
GRANT SELECT ON TABLE tenants, memberships TO switchboard_auth;
--> statement-breakpoint
GRANT INSERT ON TABLE audit_log TO switchboard_auth;
--> statement-breakpoint
CREATE POLICY identity_read ON tenants FOR SELECT TO switchboard_auth USING (true);
--> statement-breakpoint
CREATE POLICY identity_read ON memberships FOR SELECT TO switchboard_auth USING (true);
--> statement-breakpoint
CREATE POLICY identity_append ON audit_log FOR INSERT TO switchboard_auth WITH CHECK (true);
--> statement-breakpoint
-- Tenant-scoped foreign keys: a child references its parent by (tenant_id, id), so a row can only
-- point at a parent of its own tenant. Nullable references keep ON DELETE SET NULL, narrowed to the
-- reference column (PostgreSQL 15+) so the child's tenant_id stays.
ALTER TABLE agents ADD CONSTRAINT agents_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE agent_versions ADD CONSTRAINT agent_versions_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE n8n_connections ADD CONSTRAINT n8n_connections_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE tools ADD CONSTRAINT tools_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE calls ADD CONSTRAINT calls_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE tool_executions ADD CONSTRAINT tool_executions_tenant_id_id_unique UNIQUE (tenant_id, id);
--> statement-breakpoint
ALTER TABLE agent_versions DROP CONSTRAINT agent_versions_agent_id_agents_id_fk;
--> statement-breakpoint
ALTER TABLE agent_versions ADD CONSTRAINT agent_versions_agent_tenant_fk FOREIGN KEY (tenant_id, agent_id)
  REFERENCES agents (tenant_id, id) ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE agents DROP CONSTRAINT agents_live_version_id_agent_versions_id_fk;
--> statement-breakpoint
ALTER TABLE agents ADD CONSTRAINT agents_live_version_tenant_fk FOREIGN KEY (tenant_id, live_version_id)
  REFERENCES agent_versions (tenant_id, id) ON DELETE SET NULL (live_version_id);
--> statement-breakpoint
ALTER TABLE tools DROP CONSTRAINT tools_connection_id_n8n_connections_id_fk;
--> statement-breakpoint
ALTER TABLE tools ADD CONSTRAINT tools_connection_tenant_fk FOREIGN KEY (tenant_id, connection_id)
  REFERENCES n8n_connections (tenant_id, id) ON DELETE RESTRICT;
--> statement-breakpoint
ALTER TABLE phone_numbers DROP CONSTRAINT phone_numbers_agent_id_agents_id_fk;
--> statement-breakpoint
ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_agent_tenant_fk FOREIGN KEY (tenant_id, agent_id)
  REFERENCES agents (tenant_id, id) ON DELETE SET NULL (agent_id);
--> statement-breakpoint
ALTER TABLE calls DROP CONSTRAINT calls_agent_id_agents_id_fk;
--> statement-breakpoint
ALTER TABLE calls ADD CONSTRAINT calls_agent_tenant_fk FOREIGN KEY (tenant_id, agent_id)
  REFERENCES agents (tenant_id, id) ON DELETE SET NULL (agent_id);
--> statement-breakpoint
ALTER TABLE calls DROP CONSTRAINT calls_agent_version_id_agent_versions_id_fk;
--> statement-breakpoint
ALTER TABLE calls ADD CONSTRAINT calls_agent_version_tenant_fk FOREIGN KEY (tenant_id, agent_version_id)
  REFERENCES agent_versions (tenant_id, id) ON DELETE SET NULL (agent_version_id);
--> statement-breakpoint
ALTER TABLE calls DROP CONSTRAINT calls_phone_number_id_phone_numbers_id_fk;
--> statement-breakpoint
ALTER TABLE calls ADD CONSTRAINT calls_phone_number_tenant_fk FOREIGN KEY (tenant_id, phone_number_id)
  REFERENCES phone_numbers (tenant_id, id) ON DELETE SET NULL (phone_number_id);
--> statement-breakpoint
ALTER TABLE call_events DROP CONSTRAINT call_events_call_id_calls_id_fk;
--> statement-breakpoint
ALTER TABLE call_events ADD CONSTRAINT call_events_call_tenant_fk FOREIGN KEY (tenant_id, call_id)
  REFERENCES calls (tenant_id, id) ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE utterances DROP CONSTRAINT utterances_call_id_calls_id_fk;
--> statement-breakpoint
ALTER TABLE utterances ADD CONSTRAINT utterances_call_tenant_fk FOREIGN KEY (tenant_id, call_id)
  REFERENCES calls (tenant_id, id) ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE recordings DROP CONSTRAINT recordings_call_id_calls_id_fk;
--> statement-breakpoint
ALTER TABLE recordings ADD CONSTRAINT recordings_call_tenant_fk FOREIGN KEY (tenant_id, call_id)
  REFERENCES calls (tenant_id, id) ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE call_costs DROP CONSTRAINT call_costs_call_id_calls_id_fk;
--> statement-breakpoint
ALTER TABLE call_costs ADD CONSTRAINT call_costs_call_tenant_fk FOREIGN KEY (tenant_id, call_id)
  REFERENCES calls (tenant_id, id) ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE tool_executions DROP CONSTRAINT tool_executions_tool_id_tools_id_fk;
--> statement-breakpoint
ALTER TABLE tool_executions ADD CONSTRAINT tool_executions_tool_tenant_fk FOREIGN KEY (tenant_id, tool_id)
  REFERENCES tools (tenant_id, id) ON DELETE SET NULL (tool_id);
--> statement-breakpoint
ALTER TABLE tool_executions DROP CONSTRAINT tool_executions_call_id_calls_id_fk;
--> statement-breakpoint
ALTER TABLE tool_executions ADD CONSTRAINT tool_executions_call_tenant_fk FOREIGN KEY (tenant_id, call_id)
  REFERENCES calls (tenant_id, id) ON DELETE CASCADE;
--> statement-breakpoint
ALTER TABLE tool_execution_attempts DROP CONSTRAINT tool_execution_attempts_execution_id_tool_executions_id_fk;
--> statement-breakpoint
ALTER TABLE tool_execution_attempts ADD CONSTRAINT tool_execution_attempts_execution_tenant_fk FOREIGN KEY (tenant_id, execution_id)
  REFERENCES tool_executions (tenant_id, id) ON DELETE CASCADE;
