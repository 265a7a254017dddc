-- Reference data (categories, routing rules, departments, areas) is kept in each server process; this counter, bumped
-- by a statement trigger on every change of those tables, tells a process when its copy is stale.
CREATE TABLE "reference_version" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	CONSTRAINT "reference_version_single_row" CHECK ("reference_version"."id" = 1)
);--> statement-breakpoint
INSERT INTO "reference_version" ("id", "version") VALUES (1, 1);--> statement-breakpoint
CREATE FUNCTION linli_bump_reference_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE reference_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER categories_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
  FOR EACH STATEMENT EXECUTE FUNCTION linli_bump_reference_version();--> statement-breakpoint
CREATE TRIGGER routing_rules_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routing_rules
  FOR EACH STATEMENT EXECUTE FUNCTION linli_bump_reference_version();--> statement-breakpoint
CREATE TRIGGER departments_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departments
  FOR EACH STATEMENT EXECUTE FUNCTION linli_bump_reference_version();--> statement-breakpoint
CREATE TRIGGER areas_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON areas
  FOR EACH STATEMENT EXECUTE FUNCTION linli_bump_reference_version();
--> statement-breakpoint
-- Intake writes its case in one statement that also calls this: a process whose copy of the reference data is older
-- than the database's fails the statement (SQLSTATE LI001) and decides again on the current data.
CREATE FUNCTION linli_reference_current(expected bigint) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF (SELECT version FROM reference_version WHERE id = 1) IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'reference data changed since version %', expected USING ERRCODE = 'LI001';
  END IF;
  RETURN true;
END $$;
