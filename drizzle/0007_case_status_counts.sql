CREATE TABLE "case_status_counts" (
	"area_path" text NOT NULL,
	"status" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "case_status_counts_area_path_status_pk" PRIMARY KEY("area_path","status")
);
--> statement-breakpoint
CREATE TABLE "case_status_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "case_status_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"area_path" text NOT NULL,
	"status" text NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "case_status_counts_path_idx" ON "case_status_counts" USING btree ("area_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "case_status_deltas_path_idx" ON "case_status_deltas" USING btree ("area_path" text_pattern_ops);--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_case_status_delta() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO case_status_deltas (area_path, status, n) VALUES (OLD.area_path, OLD.status, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_status_deltas (area_path, status, n) VALUES (NEW.area_path, NEW.status, 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cases_status_delta_insert_delete AFTER INSERT OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION linli_case_status_delta();
--> statement-breakpoint
CREATE TRIGGER cases_status_delta_update AFTER UPDATE OF status, area_path ON cases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.area_path IS DISTINCT FROM NEW.area_path)
  EXECUTE FUNCTION linli_case_status_delta();
--> statement-breakpoint
INSERT INTO case_status_counts (area_path, status, n) SELECT area_path, status, count(*) FROM cases GROUP BY 1, 2;
