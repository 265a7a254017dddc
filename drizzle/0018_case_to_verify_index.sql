-- The work list's verification part (handled or verified cases of an area, newest first) without walking every case
-- of the area in the list index.
CREATE INDEX "cases_to_verify_idx" ON "cases" USING btree ("area_path" text_pattern_ops,"created_at","id") WHERE "cases"."status" in ('handled','verified');
