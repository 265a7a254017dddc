-- The work list's counts add the deltas not yet folded, by holder: after a burst of writes the deltas table stays large
-- until vacuum can shrink it, and without this index every work list read all of it.
CREATE INDEX IF NOT EXISTS case_status_deltas_holder_idx ON case_status_deltas (holder_key text_pattern_ops);--> statement-breakpoint
-- The supervisor's list and its counts read scope and status from the index alone (no visit to the rows).
DROP INDEX IF EXISTS cases_supervision_idx;--> statement-breakpoint
CREATE INDEX cases_supervision_idx ON cases (created_at, id) INCLUDE (area_path, status)
  WHERE overdue_escalated_at IS NOT NULL OR supervised;--> statement-breakpoint
-- The reporter's name as every answer shows it (张*), kept so a list need not decrypt fifty names. Rows written before
-- this migration have it null and are masked from the encrypted name when read.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS reporter_name_masked text;
--> statement-breakpoint
-- The overdue filter (open, not suspended, past due) reads only the open cases of the scope, not every case it holds.
CREATE INDEX IF NOT EXISTS cases_overdue_idx ON cases (area_path text_pattern_ops, created_at, id) INCLUDE (status, due_at)
  WHERE status IN ('reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified') AND due_at IS NOT NULL;
