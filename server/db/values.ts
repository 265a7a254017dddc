/** Values as the drivers hand them back, turned into what the API writes. */

/** PostgreSQL's text of a timestamptz in UTC, as node-postgres hands it over: `2026-12-07 00:20:05.41+00`. */
const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamp as ISO 8601 in UTC with milliseconds (what `Date#toISOString` writes). The driver's text in UTC is
 * rewritten as text: parsing it into a Date took a list of 50 cases 0.15 ms of its 2 ms of Node. Anything else (a
 * Date, another offset) goes through Date.
 */
export function isoTimestamp(value: Date | string): string {
  const m = typeof value === 'string' ? UTC_TIMESTAMP.exec(value) : null;
  if (!m) return new Date(value).toISOString();
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}

/** isoTimestamp for a column that may be NULL. */
export function isoTimestampOrNull(value: Date | string | null): string | null {
  return value === null ? null : isoTimestamp(value);
}
