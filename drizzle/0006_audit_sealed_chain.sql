CREATE TABLE "case_number_counters" (
	"prefix" text PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "prev_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "entry_hash" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "seq" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_seq_key" ON "audit_log" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_log_unsealed_idx" ON "audit_log" USING btree ("id") WHERE "audit_log"."seq" is null;--> statement-breakpoint
-- Entries written before the sealer get their place in the chain in id order (their hashes stay as they were).
ALTER TABLE "audit_log" DISABLE TRIGGER audit_log_append_only;
--> statement-breakpoint
UPDATE "audit_log" a SET "seq" = o.rn FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM "audit_log") o
  WHERE a.id = o.id;
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER audit_log_append_only;
--> statement-breakpoint
-- Append-only, except that the sealer may link an entry into the chain once: seq, prev_hash and hash go from null to
-- a value and nothing else changes.
CREATE OR REPLACE FUNCTION linli_audit_seal_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
     AND NEW.prev_hash IS NOT NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
     AND (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER audit_log_append_only ON audit_log;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION linli_audit_seal_only();
--> statement-breakpoint
-- Case numbers given out so far today stay taken.
INSERT INTO "case_number_counters" ("prefix", "last")
  SELECT left("number", 16), max(right("number", 6)::int) FROM "cases"
   WHERE "number" ~ '^[0-9]{6}-[0-9]{8}-[0-9]{6}$' GROUP BY left("number", 16)
  ON CONFLICT DO NOTHING;
