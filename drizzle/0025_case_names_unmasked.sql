-- The cases whose reporter's masked name the jobs loop has still to write (those written before migration 0024): found
-- without reading the table, and empty once it is done.
CREATE INDEX IF NOT EXISTS cases_name_unmasked_idx ON cases (id)
  WHERE reporter_name_masked IS NULL AND reporter_name_enc IS NOT NULL;
