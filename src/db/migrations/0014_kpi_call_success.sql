-- Post-call analysis feeds the KPIs (issue 17): per day, the calls the analysis judged and those it
-- judged successful, so a period's success rate is read from the rollups like every other KPI.
ALTER TABLE daily_kpis ADD COLUMN analysed_calls integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE daily_kpis ADD COLUMN successful_calls integer NOT NULL DEFAULT 0;
