CREATE TABLE "estates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"name" text NOT NULL,
	"address" text,
	"property_company" text,
	"property_phone" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "buildings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_code" text NOT NULL,
	"area_path" text NOT NULL,
	"estate_id" uuid,
	"name" text NOT NULL,
	"number" text,
	"floors" integer NOT NULL,
	"units_count" integer DEFAULT 0 NOT NULL,
	"use" text DEFAULT 'residential' NOT NULL,
	"address" text,
	"lat" double precision,
	"lng" double precision,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "buildings_floors_check" CHECK ("buildings"."floors" between 1 and 150),
	CONSTRAINT "buildings_units_count_check" CHECK ("buildings"."units_count" between 0 and 30),
	CONSTRAINT "buildings_use_check" CHECK ("buildings"."use" in ('residential','commercial','mixed','public','other')),
	CONSTRAINT "buildings_point_check" CHECK (("buildings"."lat" is null) = ("buildings"."lng" is null) and ("buildings"."lat" is null or ("buildings"."lat" between -90 and 90 and "buildings"."lng" between -180 and 180)))
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"building_id" uuid NOT NULL,
	"area_path" text NOT NULL,
	"number" text NOT NULL,
	"name" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dwellings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"area_path" text NOT NULL,
	"floor" integer NOT NULL,
	"number" text NOT NULL,
	"floor_area" numeric(8, 2),
	"use" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "dwellings_floor_check" CHECK ("dwellings"."floor" between 1 and 150),
	CONSTRAINT "dwellings_use_check" CHECK ("dwellings"."use" in ('self_occupied','rented','vacant','commercial')),
	CONSTRAINT "dwellings_floor_area_check" CHECK ("dwellings"."floor_area" is null or "dwellings"."floor_area" > 0)
);
--> statement-breakpoint
ALTER TABLE "estates" ADD CONSTRAINT "estates_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_area_code_areas_code_fk" FOREIGN KEY ("area_code") REFERENCES "public"."areas"("code") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_estate_id_estates_id_fk" FOREIGN KEY ("estate_id") REFERENCES "public"."estates"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "dwellings" ADD CONSTRAINT "dwellings_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "dwellings" ADD CONSTRAINT "dwellings_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "estates_area_name_key" ON "estates" USING btree ("area_code","name") WHERE retired_at is null;
--> statement-breakpoint
CREATE INDEX "estates_path_idx" ON "estates" USING btree ("area_path" text_pattern_ops);
--> statement-breakpoint
CREATE UNIQUE INDEX "buildings_area_estate_name_key" ON "buildings" USING btree ("area_code",coalesce(estate_id::text, ''),"name") WHERE retired_at is null;
--> statement-breakpoint
CREATE INDEX "buildings_path_idx" ON "buildings" USING btree ("area_path" text_pattern_ops);
--> statement-breakpoint
CREATE INDEX "buildings_estate_idx" ON "buildings" USING btree ("estate_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "units_building_number_key" ON "units" USING btree ("building_id","number") WHERE retired_at is null;
--> statement-breakpoint
CREATE INDEX "units_path_idx" ON "units" USING btree ("area_path" text_pattern_ops);
--> statement-breakpoint
CREATE UNIQUE INDEX "dwellings_unit_floor_number_key" ON "dwellings" USING btree ("unit_id","floor","number") WHERE retired_at is null;
--> statement-breakpoint
CREATE INDEX "dwellings_building_idx" ON "dwellings" USING btree ("building_id");
--> statement-breakpoint
CREATE INDEX "dwellings_path_idx" ON "dwellings" USING btree ("area_path" text_pattern_ops);
