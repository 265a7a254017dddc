/** API keys of Open311 clients: issued by an admin per client and area, stored as a keyed hash. */
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The client's name (a 12345 platform, a city app). */
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    /** The first characters of the key, to tell keys apart in lists. */
    keyPrefix: text('key_prefix').notNull(),
    /** The area the client may report in (a city, district, street or community). */
    areaCode: text('area_code').notNull(),
    areaPath: text('area_path').notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_key_hash_key').on(t.keyHash), index('api_keys_area_idx').on(t.areaPath)],
);
