-- Call list (issue 12): outcome label, transcript search and indexes for keyset pages over a tenant
-- with millions of calls, newest first by (started_at, id).
ALTER TABLE calls ADD COLUMN IF NOT EXISTS outcome text;
--> statement-breakpoint
ALTER TABLE utterances ADD COLUMN IF NOT EXISTS search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS utterances_search_idx ON utterances USING gin (search_tsv);
--> statement-breakpoint
DROP INDEX IF EXISTS calls_tenant_started_idx;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS calls_tenant_started_id_idx ON calls (tenant_id, started_at DESC, id DESC);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS calls_started_id_idx ON calls (started_at DESC, id DESC);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS calls_tenant_agent_started_idx ON calls (tenant_id, agent_id, started_at DESC, id DESC);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS calls_tenant_from_started_idx ON calls (tenant_id, from_number, started_at DESC, id DESC);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS calls_tenant_legal_hold_idx ON calls (tenant_id, started_at DESC, id DESC) WHERE legal_hold;
