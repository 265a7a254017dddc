-- Scoped search at city scale (issue 4): a name found by its characters, initials read in list order from one index,
-- and the open household memberships the visit ledger counts.
-- The characters and character pairs of a name: a GIN index over them finds a name containing any text of one or
-- more characters without scanning, in any locale (pg_trgm skips Han characters under the C locale).
CREATE OR REPLACE FUNCTION linli_name_grams(name text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(name, i, 1) AS g FROM generate_series(1, char_length(name)) AS i
    UNION ALL
    SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) AS i
  ) AS grams
$$;
--> statement-breakpoint
-- What a searched text must contain: itself when one character, else its character pairs (the rarer keys).
CREATE OR REPLACE FUNCTION linli_name_query_grams(q text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(q) <= 1 THEN ARRAY[q]
    ELSE (SELECT array_agg(DISTINCT substr(q, i, 2)) FROM generate_series(1, char_length(q) - 1) AS i) END
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS residents_name_grams_idx ON residents USING gin (linli_name_grams(name));
--> statement-breakpoint
-- The list order (initials, name, id, byte order) with the scope and status in the key: an initials search and its
-- count read this index alone and stop at the page.
CREATE INDEX IF NOT EXISTS residents_initials_order_idx
  ON residents (name_initials COLLATE "C", name COLLATE "C", id, area_path, status);
--> statement-breakpoint
DROP INDEX IF EXISTS residents_initials_idx;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS household_members_open_idx ON household_members (household_id) WHERE to_date IS NULL;
