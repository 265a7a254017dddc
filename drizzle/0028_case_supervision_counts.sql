-- The supervisor's list's counts (list.ts): the cases on it (the deadline job escalated them, or a leader supervises
-- them), kept by area and status, so its tabs read a few rows instead of counting every escalated case of the city.
CREATE TABLE IF NOT EXISTS "case_supervision_counts" (
	"area_path" text NOT NULL,
	"status" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "case_supervision_counts_area_path_status_pk" PRIMARY KEY("area_path","status")
);
--> statement-breakpoint
ALTER TABLE "case_status_deltas" ADD COLUMN IF NOT EXISTS "supervised" boolean;--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_case_status_delta() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO case_status_deltas (area_path, holder_key, status, due_day, supervised, n)
      VALUES (OLD.area_path, linli_case_holder_key(OLD.lead_department_id, OLD.level, OLD.holder_path), OLD.status,
              linli_case_due_day(OLD.status, OLD.due_at), OLD.overdue_escalated_at IS NOT NULL OR OLD.supervised, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_status_deltas (area_path, holder_key, status, due_day, supervised, n)
      VALUES (NEW.area_path, linli_case_holder_key(NEW.lead_department_id, NEW.level, NEW.holder_path), NEW.status,
              linli_case_due_day(NEW.status, NEW.due_at), NEW.overdue_escalated_at IS NOT NULL OR NEW.supervised, 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- An escalation or a leader's supervision puts the case on the list; lifting the supervision takes it off.
DROP TRIGGER IF EXISTS cases_status_delta_update ON cases;--> statement-breakpoint
CREATE TRIGGER cases_status_delta_update AFTER UPDATE OF status, area_path, level, holder_path, lead_department_id, due_at,
    overdue_escalated_at, supervised
  ON cases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.area_path IS DISTINCT FROM NEW.area_path
    OR OLD.level IS DISTINCT FROM NEW.level OR OLD.holder_path IS DISTINCT FROM NEW.holder_path
    OR OLD.lead_department_id IS DISTINCT FROM NEW.lead_department_id
    OR linli_case_due_day(OLD.status, OLD.due_at) IS DISTINCT FROM linli_case_due_day(NEW.status, NEW.due_at)
    OR (OLD.overdue_escalated_at IS NOT NULL OR OLD.supervised) IS DISTINCT FROM
       (NEW.overdue_escalated_at IS NOT NULL OR NEW.supervised))
  EXECUTE FUNCTION linli_case_status_delta();
--> statement-breakpoint
-- The counts start from the rows, under every area path (lengths of common/area-code.ts) of each case's path. Deltas
-- written before this migration say nothing of the list (supervised is null) and count toward nothing here.
INSERT INTO case_supervision_counts (area_path, status, n)
  SELECT left(g.area_path, l), g.status, sum(g.n)
    FROM (SELECT area_path, status, count(*) AS n
            FROM cases WHERE overdue_escalated_at IS NOT NULL OR supervised GROUP BY 1, 2) g,
         unnest(ARRAY[2, 4, 6, 9, 12, 15]) l
   WHERE l <= length(g.area_path)
   GROUP BY 1, 2
  ON CONFLICT (area_path, status) DO UPDATE SET n = case_supervision_counts.n + excluded.n;
