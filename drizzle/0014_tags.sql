CREATE TABLE "tags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"name_en" text,
	"sensitivity" text DEFAULT 'normal' NOT NULL,
	"fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"visible_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tags_sensitivity_check" CHECK ("tags"."sensitivity" in ('normal','sensitive','restricted')),
	CONSTRAINT "tags_not_own_parent_check" CHECK ("tags"."parent_id" is null or "tags"."parent_id" <> "tags"."id")
);
--> statement-breakpoint
CREATE TABLE "resident_tags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"resident_id" uuid NOT NULL,
	"tag_id" uuid NOT NULL,
	"details_enc" text,
	"from_date" date NOT NULL,
	"to_date" date,
	"note" text,
	"end_note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_by" uuid,
	"ended_at" timestamp with time zone,
	CONSTRAINT "resident_tags_dates_check" CHECK ("resident_tags"."to_date" is null or "resident_tags"."to_date" >= "resident_tags"."from_date")
);
--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_parent_id_tags_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."tags"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_tags" ADD CONSTRAINT "resident_tags_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_tags" ADD CONSTRAINT "resident_tags_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "tags_code_key" ON "tags" USING btree ("code");
--> statement-breakpoint
CREATE INDEX "tags_parent_idx" ON "tags" USING btree ("parent_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "resident_tags_open_key" ON "resident_tags" USING btree ("resident_id","tag_id") WHERE to_date is null;
--> statement-breakpoint
CREATE INDEX "resident_tags_resident_idx" ON "resident_tags" USING btree ("resident_id");
--> statement-breakpoint
CREATE INDEX "resident_tags_tag_idx" ON "resident_tags" USING btree ("tag_id","resident_id");
--> statement-breakpoint
-- A resident's tag history is kept: the one change allowed is ending an open tag (to_date from null to a date, with
-- who ended it, when and why); nothing is deleted.
CREATE OR REPLACE FUNCTION linli_resident_tag_end_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.to_date IS NULL AND NEW.to_date IS NOT NULL
     AND (to_jsonb(NEW) - 'to_date' - 'ended_by' - 'ended_at' - 'end_note')
       = (to_jsonb(OLD) - 'to_date' - 'ended_by' - 'ended_at' - 'end_note') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'table % keeps its history: only ending an open tag is allowed', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER resident_tags_end_only BEFORE UPDATE OR DELETE ON resident_tags
  FOR EACH ROW EXECUTE FUNCTION linli_resident_tag_end_only();
--> statement-breakpoint
CREATE TRIGGER resident_tags_no_truncate BEFORE TRUNCATE ON resident_tags
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
