-- The overdue filter's counts (list.ts): the open cases that can run late, kept by area, status and the UTC day they
-- fall due, so a count reads a few dozen rows instead of every open case of a street. Days already past are folded
-- into one row per area and status (due_day 1970-01-01) by the jobs loop; the cases due today are counted from rows.
CREATE TABLE IF NOT EXISTS "case_due_counts" (
	"area_path" text NOT NULL,
	"status" text NOT NULL,
	"due_day" date NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "case_due_counts_area_path_status_due_day_pk" PRIMARY KEY("area_path","status","due_day")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "case_due_counts_day_idx" ON "case_due_counts" USING btree ("due_day");--> statement-breakpoint
ALTER TABLE "case_status_deltas" ADD COLUMN IF NOT EXISTS "due_day" date;--> statement-breakpoint
-- The day a case falls due, for the open statuses in which it can run late (not suspended); null otherwise.
CREATE OR REPLACE FUNCTION linli_case_due_day(st text, due timestamptz) RETURNS date AS $$
  SELECT CASE WHEN st IN ('reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified') AND due IS NOT NULL
              THEN (due AT TIME ZONE 'UTC')::date END;
$$ LANGUAGE sql IMMUTABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_case_status_delta() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO case_status_deltas (area_path, holder_key, status, due_day, n)
      VALUES (OLD.area_path, linli_case_holder_key(OLD.lead_department_id, OLD.level, OLD.holder_path), OLD.status,
              linli_case_due_day(OLD.status, OLD.due_at), -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_status_deltas (area_path, holder_key, status, due_day, n)
      VALUES (NEW.area_path, linli_case_holder_key(NEW.lead_department_id, NEW.level, NEW.holder_path), NEW.status,
              linli_case_due_day(NEW.status, NEW.due_at), 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- A new deadline (an extension, a resumed case) moves the case to another day.
DROP TRIGGER IF EXISTS cases_status_delta_update ON cases;--> statement-breakpoint
CREATE TRIGGER cases_status_delta_update AFTER UPDATE OF status, area_path, level, holder_path, lead_department_id, due_at
  ON cases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.area_path IS DISTINCT FROM NEW.area_path
    OR OLD.level IS DISTINCT FROM NEW.level OR OLD.holder_path IS DISTINCT FROM NEW.holder_path
    OR OLD.lead_department_id IS DISTINCT FROM NEW.lead_department_id
    OR linli_case_due_day(OLD.status, OLD.due_at) IS DISTINCT FROM linli_case_due_day(NEW.status, NEW.due_at))
  EXECUTE FUNCTION linli_case_status_delta();
--> statement-breakpoint
-- The counts start from the rows, under every area path (lengths of common/area-code.ts) of each case's path. Deltas
-- written before this migration carry no day and count toward nothing here, which the rows already say.
INSERT INTO case_due_counts (area_path, status, due_day, n)
  SELECT left(g.area_path, l), g.status, g.due_day, sum(g.n)
    FROM (SELECT area_path, status,
                 CASE WHEN linli_case_due_day(status, due_at) < (now() AT TIME ZONE 'UTC')::date THEN DATE '1970-01-01'
                      ELSE linli_case_due_day(status, due_at) END AS due_day,
                 count(*) AS n
            FROM cases WHERE linli_case_due_day(status, due_at) IS NOT NULL GROUP BY 1, 2, 3) g,
         unnest(ARRAY[2, 4, 6, 9, 12, 15]) l
   WHERE l <= length(g.area_path)
   GROUP BY 1, 2, 3
  ON CONFLICT (area_path, status, due_day) DO UPDATE SET n = case_due_counts.n + excluded.n;
--> statement-breakpoint
-- The overdue filter reads, area by area, only the cases past due: the open cases that can run late, by area and
-- deadline (it replaces migration 0024's index by area and creation time, which read every open case of an area).
DROP INDEX IF EXISTS cases_overdue_idx;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS cases_overdue_idx ON cases (area_path text_pattern_ops, due_at) INCLUDE (created_at, id, status)
  WHERE status IN ('reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified') AND due_at IS NOT NULL;
