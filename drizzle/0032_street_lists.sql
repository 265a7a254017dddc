-- A street's lists (cases/list.ts inStreet): its cases newest first in one range, keyed by the street's path (the first
-- 9 digits of a case's area path), where an area range orders them by area. A street's plain list read its page area
-- by area, up to 50 entries from each of its ~40 areas and sorted (1.4-1.6 ms of PostgreSQL at 1,000,000 cases); from
-- this index it reads 50 (0.06 ms). Status is included for the status tabs, read from the index alone.
CREATE INDEX IF NOT EXISTS cases_street_list_idx ON cases (left(area_path, 9), created_at, id) INCLUDE (status);
--> statement-breakpoint
-- The work list's verification part for a street: its handled and verified cases newest first (0.55 -> 0.13 ms with
-- 1,727 of them in the street).
CREATE INDEX IF NOT EXISTS cases_street_verify_idx ON cases (left(area_path, 9), created_at, id)
  WHERE status IN ('handled', 'verified');
--> statement-breakpoint
-- The areas under a street (migration 0029) with the plan made once: PL/pgSQL planned its query on every call, since
-- the plan made without values guesses 100 paths and looked dearer than one made for a single street. Its shape (each
-- path's range of the areas index) is the right one for any paths: 108-135 µs a call for a street's 41 areas before,
-- 24-42 µs after.
ALTER FUNCTION linli_areas_under(text[]) SET plan_cache_mode = force_generic_plan;
