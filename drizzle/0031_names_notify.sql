-- Tells every server when a name a case list shows may have changed (cases/names.ts keeps them): a notification on
-- channel linli_names, with the table, when a category, area or department is renamed, deleted or truncated. New rows
-- need no notice: a name not yet kept is read when first needed.
CREATE OR REPLACE FUNCTION linli_notify_names() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('linli_names', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER categories_names_notify AFTER UPDATE OF name OR DELETE OR TRUNCATE ON categories FOR EACH STATEMENT
  EXECUTE FUNCTION linli_notify_names();
--> statement-breakpoint
CREATE TRIGGER areas_names_notify AFTER UPDATE OF name OR DELETE OR TRUNCATE ON areas FOR EACH STATEMENT
  EXECUTE FUNCTION linli_notify_names();
--> statement-breakpoint
CREATE TRIGGER departments_names_notify AFTER UPDATE OF name OR DELETE OR TRUNCATE ON departments FOR EACH STATEMENT
  EXECUTE FUNCTION linli_notify_names();
