-- Daily KPI rollups keep each day's call durations as a histogram of whole seconds, so a period's
-- average and p95 duration come from the rollups (a few hundred rows) instead of scanning its calls.
ALTER TABLE daily_kpis ADD COLUMN IF NOT EXISTS duration_seconds jsonb NOT NULL DEFAULT '{}'::jsonb;
--> statement-breakpoint
UPDATE daily_kpis d SET duration_seconds = h.histogram
FROM (
  SELECT s.tenant_id, s.agent_id, s.day, jsonb_object_agg(s.sec, s.n) AS histogram
  FROM (
    SELECT c.tenant_id, coalesce(c.agent_id, '') AS agent_id,
           (c.started_at AT TIME ZONE t.timezone)::date AS day,
           c.duration_ms / 1000 AS sec, count(*)::int AS n
    FROM calls c JOIN tenants t ON t.id = c.tenant_id
    WHERE c.status IN ('completed', 'failed', 'rejected') AND c.duration_ms IS NOT NULL
    GROUP BY 1, 2, 3, 4
  ) s
  GROUP BY s.tenant_id, s.agent_id, s.day
) h
WHERE d.tenant_id = h.tenant_id AND d.agent_id = h.agent_id AND d.day = h.day;
