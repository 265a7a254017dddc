-- Case lists at a million cases (issue 3): index-only scans for each list's arm, kept counts by holder for the work list,
-- and the area counts kept for every path prefix (a district's tabs read a few rows, not every grid's).
-- No case is written while the counts are rebuilt below.
LOCK TABLE "cases" IN SHARE MODE;--> statement-breakpoint
-- The area list: a scope prefix range read from the index alone (status and due_at for the work-list and
-- overdue filters, as key columns so the Drizzle definition can say it).
CREATE INDEX "cases_area_list_idx" ON "cases" USING btree ("area_path" text_pattern_ops,"created_at","id","status","due_at");--> statement-breakpoint
DROP INDEX IF EXISTS "cases_area_path_idx";--> statement-breakpoint
-- The work list of area staff and leaders: cases waiting at a unit (few among a million, most being closed).
CREATE INDEX "cases_holder_waiting_idx" ON "cases" USING btree ("holder_path" text_pattern_ops,"created_at","id","area_path","level") WHERE "cases"."lead_department_id" is null and "cases"."status" in ('reported','accepted','dispatched','handling','suspended');--> statement-breakpoint
DROP INDEX IF EXISTS "cases_holder_idx";--> statement-breakpoint
-- A department's cases newest first, walked in order.
CREATE INDEX "cases_department_list_idx" ON "cases" USING btree ("lead_department_id","created_at","id","status");--> statement-breakpoint
DROP INDEX IF EXISTS "cases_department_idx";--> statement-breakpoint
-- Counts by holder (a unit at a level, or a department) and status, kept like case_status_counts: the same delta rows
-- carry the holder key, the jobs loop folds them into both tables.
ALTER TABLE "case_status_deltas" ADD COLUMN "holder_key" text;--> statement-breakpoint
CREATE TABLE "case_holder_counts" (
	"holder_key" text NOT NULL,
	"status" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "case_holder_counts_holder_key_status_pk" PRIMARY KEY("holder_key","status")
);
--> statement-breakpoint
CREATE INDEX "case_holder_counts_key_idx" ON "case_holder_counts" USING btree ("holder_key" text_pattern_ops);--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_case_holder_key(lead uuid, lvl text, holder text) RETURNS text AS $$
  SELECT CASE WHEN lead IS NOT NULL THEN 'd:' || lead::text ELSE lvl || ':' || holder END;
$$ LANGUAGE sql IMMUTABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_case_status_delta() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO case_status_deltas (area_path, holder_key, status, n)
      VALUES (OLD.area_path, linli_case_holder_key(OLD.lead_department_id, OLD.level, OLD.holder_path), OLD.status, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_status_deltas (area_path, holder_key, status, n)
      VALUES (NEW.area_path, linli_case_holder_key(NEW.lead_department_id, NEW.level, NEW.holder_path), NEW.status, 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS cases_status_delta_update ON cases;--> statement-breakpoint
CREATE TRIGGER cases_status_delta_update AFTER UPDATE OF status, area_path, level, holder_path, lead_department_id ON cases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.area_path IS DISTINCT FROM NEW.area_path
    OR OLD.level IS DISTINCT FROM NEW.level OR OLD.holder_path IS DISTINCT FROM NEW.holder_path
    OR OLD.lead_department_id IS DISTINCT FROM NEW.lead_department_id)
  EXECUTE FUNCTION linli_case_status_delta();
--> statement-breakpoint
-- The counts start again from the rows themselves, which already say what the deltas so far say.
DELETE FROM case_status_deltas;--> statement-breakpoint
DELETE FROM case_status_counts;--> statement-breakpoint
INSERT INTO case_status_counts (area_path, status, n)
  SELECT left(g.area_path, l), g.status, sum(g.n)
    FROM (SELECT area_path, status, count(*) AS n FROM cases GROUP BY 1, 2) g, generate_series(1, length(g.area_path)) l
   GROUP BY 1, 2;--> statement-breakpoint
INSERT INTO case_holder_counts (holder_key, status, n)
  SELECT linli_case_holder_key(lead_department_id, level, holder_path), status, count(*) FROM cases GROUP BY 1, 2;
