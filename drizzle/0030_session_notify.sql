-- Tells every server when a cached session may have changed (accounts/session-cache.ts): the session lookup reads
-- sessions, accounts, assignments, areas' and departments' names. A notification on channel linli_sessions carries
-- the account whose sessions to forget, or '*' for all of them. Columns that change on every login or request
-- (last_seen_at, last_login_at, totp_last_step, updated_at) notify nobody: the cache keeps its own last_seen_at and
-- re-reads a session at least once a minute.
CREATE OR REPLACE FUNCTION linli_notify_session_account() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('linli_sessions', OLD.account_id::text);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.account_id IS DISTINCT FROM NEW.account_id THEN
    PERFORM pg_notify('linli_sessions', OLD.account_id::text);
  END IF;
  PERFORM pg_notify('linli_sessions', NEW.account_id::text);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_notify_account() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('linli_sessions', OLD.id::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION linli_notify_all_sessions() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('linli_sessions', '*');
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- DELETE triggers may not look at NEW in their condition, so each table has one trigger per kind of change.
CREATE TRIGGER sessions_notify_update AFTER UPDATE ON sessions FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_seen_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_seen_at'))
  EXECUTE FUNCTION linli_notify_session_account();
--> statement-breakpoint
CREATE TRIGGER sessions_notify_delete AFTER DELETE ON sessions FOR EACH ROW
  EXECUTE FUNCTION linli_notify_session_account();
--> statement-breakpoint
CREATE TRIGGER accounts_notify_update AFTER UPDATE ON accounts FOR EACH ROW
  WHEN ((to_jsonb(OLD) - ARRAY['last_login_at', 'totp_last_step', 'updated_at'])
        IS DISTINCT FROM (to_jsonb(NEW) - ARRAY['last_login_at', 'totp_last_step', 'updated_at']))
  EXECUTE FUNCTION linli_notify_account();
--> statement-breakpoint
CREATE TRIGGER accounts_notify_delete AFTER DELETE ON accounts FOR EACH ROW
  EXECUTE FUNCTION linli_notify_account();
--> statement-breakpoint
CREATE TRIGGER assignments_notify AFTER INSERT OR UPDATE OR DELETE ON assignments FOR EACH ROW
  EXECUTE FUNCTION linli_notify_session_account();
--> statement-breakpoint
CREATE TRIGGER areas_notify AFTER UPDATE OF name ON areas FOR EACH STATEMENT
  EXECUTE FUNCTION linli_notify_all_sessions();
--> statement-breakpoint
CREATE TRIGGER departments_notify AFTER UPDATE OF name ON departments FOR EACH STATEMENT
  EXECUTE FUNCTION linli_notify_all_sessions();
