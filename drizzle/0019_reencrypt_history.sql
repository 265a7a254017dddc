-- A resident's tag history is kept: the one change allowed is ending an open tag, and, for `linli secrets rotate`
-- (which sets linli.reencrypt for its own transaction), re-encrypting the details under the current key, which
-- changes no value.
CREATE OR REPLACE FUNCTION linli_resident_tag_end_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.to_date IS NULL AND NEW.to_date IS NOT NULL
     AND (to_jsonb(NEW) - 'to_date' - 'ended_by' - 'ended_at' - 'end_note')
       = (to_jsonb(OLD) - 'to_date' - 'ended_by' - 'ended_at' - 'end_note') THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('linli.reencrypt', true) = 'on'
     AND (to_jsonb(NEW) - 'details_enc') = (to_jsonb(OLD) - 'details_enc') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'table % keeps its history: only ending an open tag is allowed', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
