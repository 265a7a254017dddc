-- The number of members a household has now, kept by statement triggers on household_members: the visit ledger counts
-- "households with a member now" over a whole street from one partial index instead of probing every household.
ALTER TABLE households ADD COLUMN IF NOT EXISTS member_count integer NOT NULL DEFAULT 0;
--> statement-breakpoint
UPDATE households h SET member_count = m.n
  FROM (SELECT household_id, count(*)::int AS n FROM household_members WHERE to_date IS NULL GROUP BY household_id) m
  WHERE m.household_id = h.id;
--> statement-breakpoint
-- Adds each household's change of open memberships; old and new rows come as transition tables (one UPDATE per
-- statement, so a bulk import does not update a household once per member).
CREATE OR REPLACE FUNCTION linli_household_member_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE households h SET member_count = h.member_count + d.n
      FROM (SELECT household_id, count(*)::int AS n FROM new_rows WHERE to_date IS NULL GROUP BY household_id) d
      WHERE h.id = d.household_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE households h SET member_count = h.member_count - d.n
      FROM (SELECT household_id, count(*)::int AS n FROM old_rows WHERE to_date IS NULL GROUP BY household_id) d
      WHERE h.id = d.household_id;
  ELSE
    UPDATE households h SET member_count = h.member_count + d.n
      FROM (SELECT household_id, sum(n)::int AS n FROM (
              SELECT household_id, 1 AS n FROM new_rows WHERE to_date IS NULL
              UNION ALL
              SELECT household_id, -1 FROM old_rows WHERE to_date IS NULL) x
            GROUP BY household_id HAVING sum(n) <> 0) d
      WHERE h.id = d.household_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS household_members_count_insert ON household_members;
--> statement-breakpoint
CREATE TRIGGER household_members_count_insert AFTER INSERT ON household_members
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linli_household_member_count();
--> statement-breakpoint
DROP TRIGGER IF EXISTS household_members_count_update ON household_members;
--> statement-breakpoint
CREATE TRIGGER household_members_count_update AFTER UPDATE ON household_members
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION linli_household_member_count();
--> statement-breakpoint
DROP TRIGGER IF EXISTS household_members_count_delete ON household_members;
--> statement-breakpoint
CREATE TRIGGER household_members_count_delete AFTER DELETE ON household_members
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION linli_household_member_count();
--> statement-breakpoint
-- Households with a member now, by area: the ledger's household counts read this index alone.
CREATE INDEX IF NOT EXISTS households_with_members_idx ON households (area_path text_pattern_ops, area_code, id)
  WHERE member_count > 0;
--> statement-breakpoint
-- Residents without an ID number (foreigners with a passport only) are matched on import by name and birth date.
CREATE INDEX IF NOT EXISTS residents_foreign_name_birth_idx ON residents (district_path, name, birth_date)
  WHERE id_number_hash IS NULL;
