/**
 * Public tracking (进度查询): anyone with the case number and the last four digits of the reporter's phone sees
 * the progress, without a session and without personal data: no title, text, address, names or phones, only the
 * category, the community, the status and the steps (action, status, time). Every miss, whether the number is
 * unknown, the phone does not match or the case has no phone, answers the same 404, so the route tells nothing
 * about which numbers exist; its own tight rate limit (routes.ts) keeps the four digits from being guessed.
 */
import crypto from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { TrackQuery, TrackView } from '../../../common/schemas/cases';
import type { AppContext } from '../../context';
import { AppError } from '../../http/errors';
import { areas } from '../areas/tables';
import { categories } from '../categories/tables';
import { caseEvents, cases } from './tables';
import { isoTimestampOrNull } from '../../db/values';

const community = sql<
  string | null
>`(select ${areas.name} from ${areas} where ${areas.code} = left(${cases.areaCode}, 12))`;

function sameDigits(a: string, b: string): boolean {
  const x = Buffer.from(a.padEnd(4, '-').slice(0, 4));
  const y = Buffer.from(b.padEnd(4, '-').slice(0, 4));
  return crypto.timingSafeEqual(x, y) && a.length === b.length;
}

/** The public view of a case, or 404 track.not_found. */
export async function trackCase(ctx: AppContext, q: TrackQuery): Promise<TrackView> {
  const [row] = await ctx.db
    .select({
      id: cases.id,
      number: cases.number,
      phoneMasked: cases.reporterPhoneMasked,
      status: cases.status,
      dueAt: cases.dueAt,
      createdAt: cases.createdAt,
      closedAt: cases.closedAt,
      rating: cases.rating,
      categoryName: categories.name,
      areaName: community,
    })
    .from(cases)
    .innerJoin(categories, eq(categories.id, cases.categoryId))
    .where(eq(cases.number, q.number))
    .limit(1);
  // The masked phone keeps exactly the last four digits (138****1234): no decryption needed.
  const last4 = row?.phoneMasked?.slice(-4) ?? '';
  if (!row || !sameDigits(last4, q.phone4)) throw new AppError('track.not_found');
  const steps = await ctx.db
    .select({ action: caseEvents.action, toStatus: caseEvents.toStatus, at: caseEvents.at })
    .from(caseEvents)
    .where(eq(caseEvents.caseId, row.id))
    .orderBy(asc(caseEvents.seq));
  return {
    number: row.number,
    categoryName: row.categoryName,
    areaName: row.areaName ?? '',
    status: row.status as TrackView['status'],
    dueAt: isoTimestampOrNull(row.dueAt),
    createdAt: isoTimestampOrNull(row.createdAt)!,
    closedAt: isoTimestampOrNull(row.closedAt),
    rating: row.rating as TrackView['rating'],
    steps: steps.map((s) => ({ action: s.action, toStatus: s.toStatus, at: isoTimestampOrNull(s.at)! })),
  };
}
