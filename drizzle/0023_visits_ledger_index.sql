-- The visit ledger reads the period's visits of an area (day, area, visitor, household) from one index alone.
CREATE INDEX IF NOT EXISTS visits_ledger_idx
  ON visits (area_path text_pattern_ops, visited_on, area_code, visitor_id, household_id, id);
