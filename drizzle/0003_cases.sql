CREATE TABLE "calendar_days" (
	"day" date PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_days_kind_check" CHECK ("calendar_days"."kind" in ('holiday','workday'))
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"name_en" text,
	"matter_class" text NOT NULL,
	"handling_level" text NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"deadline_hours" integer,
	"deadline_working_days" integer,
	"questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "categories_matter_class_check" CHECK ("categories"."matter_class" in ('public','community','private')),
	CONSTRAINT "categories_level_check" CHECK ("categories"."handling_level" in ('community','street','district'))
);
--> statement-breakpoint
CREATE TABLE "routing_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"category_id" uuid,
	"area_path" text NOT NULL,
	"department_id" uuid,
	"level" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_rules_target_check" CHECK (("routing_rules"."department_id" is not null) <> ("routing_rules"."level" is not null)),
	CONSTRAINT "routing_rules_level_check" CHECK ("routing_rules"."level" is null or "routing_rules"."level" in ('community','street','district'))
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "case_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"case_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"actor_role" text,
	"note" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"channel" text NOT NULL,
	"source_ref" text,
	"category_id" uuid NOT NULL,
	"matter_class" text NOT NULL,
	"urgency" text DEFAULT 'normal' NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"address" text,
	"lat" double precision,
	"lng" double precision,
	"reporter_name_enc" text,
	"reporter_phone_enc" text,
	"reporter_phone_hash" text,
	"reporter_phone_masked" text,
	"reporter_account_id" uuid,
	"callback_wanted" boolean DEFAULT false NOT NULL,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"level" text NOT NULL,
	"lead_department_id" uuid,
	"holder_path" text NOT NULL,
	"co_department_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"due_at" timestamp with time zone,
	"overdue_escalated_at" timestamp with time zone,
	"supervised" boolean DEFAULT false NOT NULL,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"rating" text,
	"merged_into_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "cases_channel_check" CHECK ("cases"."channel" in ('window','hotline','online','mailbox','patrol','transfer')),
	CONSTRAINT "cases_matter_class_check" CHECK ("cases"."matter_class" in ('public','community','private')),
	CONSTRAINT "cases_urgency_check" CHECK ("cases"."urgency" in ('normal','urgent')),
	CONSTRAINT "cases_level_check" CHECK ("cases"."level" in ('community','street','district')),
	CONSTRAINT "cases_rating_check" CHECK ("cases"."rating" is null or "cases"."rating" in ('satisfied','basically','dissatisfied'))
);
--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_parent_id_categories_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_rules" ADD CONSTRAINT "routing_rules_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_rules" ADD CONSTRAINT "routing_rules_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_lead_department_id_departments_id_fk" FOREIGN KEY ("lead_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "categories_code_key" ON "categories" USING btree ("code");--> statement-breakpoint
CREATE INDEX "categories_parent_idx" ON "categories" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "routing_rules_path_idx" ON "routing_rules" USING btree ("area_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "case_events_case_seq_key" ON "case_events" USING btree ("case_id","seq");--> statement-breakpoint
CREATE INDEX "case_events_at_idx" ON "case_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_number_key" ON "cases" USING btree ("number");--> statement-breakpoint
CREATE INDEX "cases_area_path_idx" ON "cases" USING btree ("area_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "cases_holder_idx" ON "cases" USING btree ("holder_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "cases_status_due_idx" ON "cases" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "cases_department_idx" ON "cases" USING btree ("lead_department_id","status");--> statement-breakpoint
CREATE INDEX "cases_reporter_idx" ON "cases" USING btree ("reporter_account_id");--> statement-breakpoint
CREATE INDEX "cases_created_idx" ON "cases" USING btree ("created_at");