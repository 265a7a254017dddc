-- Households with a member now, counted per area and kept by statement triggers on households: the visit ledger of a
-- street reads a few hundred counts instead of its households.
CREATE TABLE IF NOT EXISTS area_household_counts (
  area_code text PRIMARY KEY,
  area_path text NOT NULL,
  households integer NOT NULL DEFAULT 0
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS area_household_counts_path_idx ON area_household_counts (area_path text_pattern_ops);
--> statement-breakpoint
INSERT INTO area_household_counts (area_code, area_path, households)
  SELECT area_code, min(area_path), count(*)::int FROM households WHERE member_count > 0 GROUP BY area_code
  ON CONFLICT (area_code) DO UPDATE SET households = excluded.households;
--> statement-breakpoint
-- Adds each area's change of households with a member now (old and new rows as transition tables).
CREATE OR REPLACE FUNCTION linli_area_household_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its event has.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO area_household_counts AS c (area_code, area_path, households)
      SELECT area_code, min(area_path), count(*)::int FROM new_rows WHERE member_count > 0 GROUP BY area_code
      ON CONFLICT (area_code) DO UPDATE SET households = c.households + excluded.households;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE area_household_counts c SET households = c.households - d.n
      FROM (SELECT area_code, count(*)::int AS n FROM old_rows WHERE member_count > 0 GROUP BY area_code) d
      WHERE c.area_code = d.area_code;
  ELSE
    INSERT INTO area_household_counts AS c (area_code, area_path, households)
      SELECT area_code, min(area_path), sum(n)::int FROM (
        SELECT area_code, area_path, 1 AS n FROM new_rows WHERE member_count > 0
        UNION ALL
        SELECT area_code, area_path, -1 FROM old_rows WHERE member_count > 0) d
      GROUP BY area_code HAVING sum(n) <> 0
      ON CONFLICT (area_code) DO UPDATE SET households = c.households + excluded.households;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS households_counts_insert ON households;
--> statement-breakpoint
CREATE TRIGGER households_counts_insert AFTER INSERT ON households
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linli_area_household_counts();
--> statement-breakpoint
DROP TRIGGER IF EXISTS households_counts_update ON households;
--> statement-breakpoint
CREATE TRIGGER households_counts_update AFTER UPDATE ON households
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION linli_area_household_counts();
--> statement-breakpoint
DROP TRIGGER IF EXISTS households_counts_delete ON households;
--> statement-breakpoint
CREATE TRIGGER households_counts_delete AFTER DELETE ON households
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION linli_area_household_counts();
--> statement-breakpoint
-- Households without a member now (few): the ledger leaves their visits out of the visited count by this index.
CREATE INDEX IF NOT EXISTS households_without_members_idx ON households (area_path text_pattern_ops, id)
  WHERE member_count = 0;
