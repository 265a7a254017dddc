CREATE TABLE "households" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"community_code" text NOT NULL,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"dwelling_id" uuid,
	"living_type" text,
	"head_resident_id" uuid,
	"type" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "households_type_check" CHECK ("households"."type" in ('family','collective')),
	CONSTRAINT "households_living_type_check" CHECK (("households"."dwelling_id" is null) = ("households"."living_type" is null) and ("households"."living_type" is null or "households"."living_type" in ('own','rent','borrow')))
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"name_initials" text NOT NULL,
	"gender" text NOT NULL,
	"birth_date" date NOT NULL,
	"id_number_enc" text,
	"id_number_hash" text,
	"id_number_last4" text,
	"id_number_masked" text,
	"district_path" text NOT NULL,
	"phone_enc" text,
	"phone_hash" text,
	"phone_last4" text,
	"phone_masked" text,
	"ethnicity" text,
	"residence_type" text NOT NULL,
	"permit_expires_on" date,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"status" text DEFAULT 'alive' NOT NULL,
	"died_on" date,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "residents_gender_check" CHECK ("residents"."gender" in ('male','female')),
	CONSTRAINT "residents_residence_type_check" CHECK ("residents"."residence_type" in ('registered','floating','foreign')),
	CONSTRAINT "residents_status_check" CHECK ("residents"."status" in ('alive','deceased','moved_out')),
	CONSTRAINT "residents_permit_check" CHECK ("residents"."permit_expires_on" is null or "residents"."residence_type" = 'floating'),
	CONSTRAINT "residents_died_check" CHECK (("residents"."status" = 'deceased') = ("residents"."died_on" is not null)),
	CONSTRAINT "residents_id_number_check" CHECK ("residents"."residence_type" = 'foreign' or "residents"."id_number_hash" is not null)
);
--> statement-breakpoint
CREATE TABLE "household_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"household_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"relation" text NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "household_members_relation_check" CHECK ("household_members"."relation" in ('head','spouse','son','daughter','parent','parent_in_law','son_in_law','daughter_in_law','grandchild','grandparent','sibling','other')),
	CONSTRAINT "household_members_dates_check" CHECK ("household_members"."to_date" is null or "household_members"."to_date" >= "household_members"."from_date")
);
--> statement-breakpoint
CREATE TABLE "resident_dwellings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dwelling_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"household_id" uuid,
	"living_type" text NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resident_dwellings_living_type_check" CHECK ("resident_dwellings"."living_type" in ('own','rent','borrow')),
	CONSTRAINT "resident_dwellings_dates_check" CHECK ("resident_dwellings"."to_date" is null or "resident_dwellings"."to_date" >= "resident_dwellings"."from_date")
);
--> statement-breakpoint
CREATE TABLE "resident_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "resident_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"resident_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"occurred_on" date NOT NULL,
	"household_id" uuid,
	"dwelling_id" uuid,
	"area_path" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"note" text,
	"actor_id" uuid,
	"actor_name" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resident_events_kind_check" CHECK ("resident_events"."kind" in ('registered','moved_in','moved_out','died','joined_household','left_household','relation_changed','corrected'))
);
--> statement-breakpoint
CREATE TABLE "resident_reveal_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"field" text NOT NULL,
	"purpose" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resident_reveal_grants_field_check" CHECK ("resident_reveal_grants"."field" in ('idNumber','phone'))
);
--> statement-breakpoint
ALTER TABLE "households" ADD CONSTRAINT "households_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "households" ADD CONSTRAINT "households_dwelling_id_dwellings_id_fk" FOREIGN KEY ("dwelling_id") REFERENCES "public"."dwellings"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "households" ADD CONSTRAINT "households_head_resident_id_residents_id_fk" FOREIGN KEY ("head_resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "residents" ADD CONSTRAINT "residents_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "household_members" ADD CONSTRAINT "household_members_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "household_members" ADD CONSTRAINT "household_members_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_dwellings" ADD CONSTRAINT "resident_dwellings_dwelling_id_dwellings_id_fk" FOREIGN KEY ("dwelling_id") REFERENCES "public"."dwellings"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_dwellings" ADD CONSTRAINT "resident_dwellings_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_dwellings" ADD CONSTRAINT "resident_dwellings_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_events" ADD CONSTRAINT "resident_events_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_events" ADD CONSTRAINT "resident_events_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_events" ADD CONSTRAINT "resident_events_dwelling_id_dwellings_id_fk" FOREIGN KEY ("dwelling_id") REFERENCES "public"."dwellings"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_reveal_grants" ADD CONSTRAINT "resident_reveal_grants_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resident_reveal_grants" ADD CONSTRAINT "resident_reveal_grants_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "households_community_number_key" ON "households" USING btree ("community_code","number");
--> statement-breakpoint
CREATE INDEX "households_path_idx" ON "households" USING btree ("area_path" text_pattern_ops);
--> statement-breakpoint
CREATE INDEX "households_dwelling_idx" ON "households" USING btree ("dwelling_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "residents_district_id_number_key" ON "residents" USING btree ("district_path","id_number_hash") WHERE id_number_hash is not null;
--> statement-breakpoint
CREATE INDEX "residents_path_idx" ON "residents" USING btree ("area_path" text_pattern_ops);
--> statement-breakpoint
CREATE INDEX "residents_id_hash_idx" ON "residents" USING btree ("id_number_hash");
--> statement-breakpoint
CREATE INDEX "residents_phone_hash_idx" ON "residents" USING btree ("phone_hash");
--> statement-breakpoint
CREATE INDEX "residents_id_last4_idx" ON "residents" USING btree ("id_number_last4");
--> statement-breakpoint
CREATE INDEX "residents_phone_last4_idx" ON "residents" USING btree ("phone_last4");
--> statement-breakpoint
CREATE INDEX "residents_initials_idx" ON "residents" USING btree ("name_initials" text_pattern_ops);
--> statement-breakpoint
CREATE UNIQUE INDEX "household_members_open_key" ON "household_members" USING btree ("resident_id") WHERE to_date is null;
--> statement-breakpoint
CREATE INDEX "household_members_household_idx" ON "household_members" USING btree ("household_id");
--> statement-breakpoint
CREATE INDEX "household_members_resident_idx" ON "household_members" USING btree ("resident_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "resident_dwellings_open_key" ON "resident_dwellings" USING btree ("resident_id") WHERE to_date is null;
--> statement-breakpoint
CREATE INDEX "resident_dwellings_dwelling_idx" ON "resident_dwellings" USING btree ("dwelling_id");
--> statement-breakpoint
CREATE INDEX "resident_dwellings_resident_idx" ON "resident_dwellings" USING btree ("resident_id");
--> statement-breakpoint
CREATE INDEX "resident_events_resident_idx" ON "resident_events" USING btree ("resident_id","id");
--> statement-breakpoint
CREATE INDEX "resident_events_household_idx" ON "resident_events" USING btree ("household_id");
--> statement-breakpoint
CREATE INDEX "resident_reveal_grants_resident_idx" ON "resident_reveal_grants" USING btree ("resident_id","created_at");
--> statement-breakpoint
CREATE INDEX "resident_reveal_grants_account_idx" ON "resident_reveal_grants" USING btree ("account_id","created_at");
--> statement-breakpoint
-- A resident's events and the reveal grants are append-only: the database refuses to change or remove them.
CREATE TRIGGER resident_events_append_only BEFORE UPDATE OR DELETE ON resident_events
  FOR EACH ROW EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER resident_events_no_truncate BEFORE TRUNCATE ON resident_events
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER resident_reveal_grants_append_only BEFORE UPDATE OR DELETE ON resident_reveal_grants
  FOR EACH ROW EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER resident_reveal_grants_no_truncate BEFORE TRUNCATE ON resident_reveal_grants
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
-- A link's history is kept: the one change allowed is closing an open link (to_date from null to a date).
CREATE OR REPLACE FUNCTION linli_link_close_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.to_date IS NULL AND NEW.to_date IS NOT NULL
     AND (to_jsonb(NEW) - 'to_date') = (to_jsonb(OLD) - 'to_date') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'table % keeps its history: only closing an open link is allowed', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER household_members_close_only BEFORE UPDATE OR DELETE ON household_members
  FOR EACH ROW EXECUTE FUNCTION linli_link_close_only();
--> statement-breakpoint
CREATE TRIGGER household_members_no_truncate BEFORE TRUNCATE ON household_members
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
--> statement-breakpoint
CREATE TRIGGER resident_dwellings_close_only BEFORE UPDATE OR DELETE ON resident_dwellings
  FOR EACH ROW EXECUTE FUNCTION linli_link_close_only();
--> statement-breakpoint
CREATE TRIGGER resident_dwellings_no_truncate BEFORE TRUNCATE ON resident_dwellings
  FOR EACH STATEMENT EXECUTE FUNCTION linli_forbid_change();
