ALTER TABLE "cases" ADD COLUMN "responded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "response_due_at" timestamp with time zone;--> statement-breakpoint
-- Backfill from the events, as the statistics computed them before: the first event out of 'reported', and the end
-- (23:59:59.999 China time) of the response day of the report's China date d: the first working day ≥ d when the
-- community held the case at the report (the report event's level), else the first working day > d. A working day:
-- 'workday' in calendar_days, else not 'holiday' and Monday to Friday.
WITH days AS (
  SELECT DISTINCT ((created_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS d FROM cases
), due AS (
  SELECT days.d,
    (SELECT min(days.d + i) FROM generate_series(0, 366) i
       LEFT JOIN calendar_days cd ON cd.day = days.d + i
       WHERE coalesce(cd.kind = 'workday', extract(isodow FROM days.d + i) < 6)) AS same_day,
    (SELECT min(days.d + i) FROM generate_series(1, 367) i
       LEFT JOIN calendar_days cd ON cd.day = days.d + i
       WHERE coalesce(cd.kind = 'workday', extract(isodow FROM days.d + i) < 6)) AS next_day
  FROM days
)
UPDATE cases c SET
  responded_at = (SELECT min(e.at) FROM case_events e
                  WHERE e.case_id = c.id AND e.from_status = 'reported' AND e.to_status <> 'reported'),
  response_due_at = (((CASE WHEN coalesce((SELECT r.data->>'level' FROM case_events r
                                           WHERE r.case_id = c.id AND r.seq = 1), '') = 'community'
                            THEN due.same_day ELSE due.next_day END) + 1)::timestamp
                     - interval '8 hours' - interval '1 millisecond') AT TIME ZONE 'UTC'
FROM due
WHERE due.d = ((c.created_at AT TIME ZONE 'UTC') + interval '8 hours')::date;
