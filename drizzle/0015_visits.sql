CREATE TABLE "visit_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"tag_id" uuid,
	"interval_days" integer NOT NULL,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "visit_rules_interval_check" CHECK ("visit_rules"."interval_days" between 1 and 366)
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"household_id" uuid NOT NULL,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"visited_on" date NOT NULL,
	"visitor_id" uuid,
	"visitor_name" text NOT NULL,
	"persons_met" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"situation" text NOT NULL,
	"follow_up" boolean DEFAULT false NOT NULL,
	"corrects_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visit_needs" (
	"visit_id" uuid NOT NULL,
	"n" integer NOT NULL,
	"category" text NOT NULL,
	"text" text NOT NULL,
	"case_id" uuid,
	CONSTRAINT "visit_needs_visit_id_n_pk" PRIMARY KEY("visit_id","n"),
	CONSTRAINT "visit_needs_category_check" CHECK ("visit_needs"."category" in ('living','medical','elderly_care','employment','housing','safety','dispute','environment','policy','other'))
);
--> statement-breakpoint
CREATE TABLE "visit_photos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"visit_id" uuid NOT NULL,
	"mime" text NOT NULL,
	"bytes" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"thumb_key" text NOT NULL,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "visit_rules" ADD CONSTRAINT "visit_rules_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visit_rules" ADD CONSTRAINT "visit_rules_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_visitor_id_accounts_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_corrects_id_visits_id_fk" FOREIGN KEY ("corrects_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visit_needs" ADD CONSTRAINT "visit_needs_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visit_needs" ADD CONSTRAINT "visit_needs_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "visit_photos" ADD CONSTRAINT "visit_photos_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "visit_rules_area_tag_key" ON "visit_rules" USING btree ("area_code",coalesce(tag_id::text, '')) WHERE retired_at is null;
--> statement-breakpoint
CREATE INDEX "visit_rules_path_idx" ON "visit_rules" USING btree ("area_path" text_pattern_ops);
--> statement-breakpoint
CREATE INDEX "visits_household_idx" ON "visits" USING btree ("household_id","visited_on");
--> statement-breakpoint
CREATE INDEX "visits_path_idx" ON "visits" USING btree ("area_path" text_pattern_ops,"visited_on");
--> statement-breakpoint
CREATE INDEX "visits_visitor_idx" ON "visits" USING btree ("visitor_id","visited_on");
--> statement-breakpoint
CREATE UNIQUE INDEX "visits_corrects_key" ON "visits" USING btree ("corrects_id") WHERE corrects_id is not null;
--> statement-breakpoint
CREATE INDEX "visit_needs_case_idx" ON "visit_needs" USING btree ("case_id");
--> statement-breakpoint
CREATE INDEX "visit_photos_visit_idx" ON "visit_photos" USING btree ("visit_id","created_at");
--> statement-breakpoint
-- The ledger of visits keeps what was recorded: visits and photos are never changed or removed (a correction is a
-- new visit naming the one it corrects).
CREATE TRIGGER visits_append_only BEFORE UPDATE OR DELETE ON visits
  FOR EACH ROW EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER visits_no_truncate BEFORE TRUNCATE ON visits
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER visit_photos_append_only BEFORE UPDATE OR DELETE ON visit_photos
  FOR EACH ROW EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER visit_photos_no_truncate BEFORE TRUNCATE ON visit_photos
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
-- A need keeps its words; the one change allowed is linking it, once, to the case made from it.
CREATE OR REPLACE FUNCTION linli_visit_need_link_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.case_id IS NULL AND NEW.case_id IS NOT NULL
     AND (to_jsonb(NEW) - 'case_id') = (to_jsonb(OLD) - 'case_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'table % keeps its history: only linking a need to its case is allowed', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER visit_needs_link_only BEFORE UPDATE OR DELETE ON visit_needs
  FOR EACH ROW EXECUTE FUNCTION linli_visit_need_link_only();
--> statement-breakpoint
CREATE TRIGGER visit_needs_no_truncate BEFORE TRUNCATE ON visit_needs
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
