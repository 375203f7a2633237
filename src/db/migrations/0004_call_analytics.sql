-- Call analytics: retention state and agent outcome on calls, per-call metrics, richer daily KPIs,
-- and the tenant's time zone (days for KPIs are counted in it).
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "content_deleted_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "outcome" text;
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN IF NOT EXISTS "timezone" text DEFAULT 'UTC' NOT NULL;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "call_metrics" (
	"call_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL REFERENCES "tenants"("id") ON DELETE cascade,
	"caller_talk_ms" integer DEFAULT 0 NOT NULL,
	"agent_talk_ms" integer DEFAULT 0 NOT NULL,
	"caller_turns" integer DEFAULT 0 NOT NULL,
	"agent_turns" integer DEFAULT 0 NOT NULL,
	"interruptions" integer DEFAULT 0 NOT NULL,
	"turn_latency_count" integer DEFAULT 0 NOT NULL,
	"turn_latency_sum_ms" bigint DEFAULT 0 NOT NULL,
	"turn_latency_p50_ms" integer,
	"turn_latency_p95_ms" integer,
	"tool_executions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tool_calls" integer DEFAULT 0 NOT NULL,
	"tool_successes" integer DEFAULT 0 NOT NULL,
	"cost_usd" numeric(18, 6) DEFAULT '0' NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "call_metrics_call_tenant_fk" FOREIGN KEY ("tenant_id", "call_id") REFERENCES "calls"("tenant_id", "id") ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE "call_metrics" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "call_metrics" USING (switchboard_tenant_visible(tenant_id)) WITH CHECK (switchboard_tenant_visible(tenant_id));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "call_metrics" TO switchboard_app;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "answered_calls" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "contained_calls" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "avg_duration_ms" integer;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "p95_duration_ms" integer;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "tool_successes" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "turn_latency_count" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "turn_latency_sum_ms" bigint DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_kpis" ADD COLUMN IF NOT EXISTS "outcomes" jsonb DEFAULT '{}'::jsonb NOT NULL;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "daily_kpis_tenant_day_idx" ON "daily_kpis" USING btree ("tenant_id", "day");
