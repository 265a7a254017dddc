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
