/**
 * Merging a duplicate (合并): the duplicate ends as `merged` (service.ts act), and the case it is merged into
 * records an `absorb` event naming it, with its version bumped, in the same transaction. The two rows are locked in
 * id order first, so two opposite merges at once cannot deadlock: one waits and then finds the other merged.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { AppError } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { caseReadable } from '../../policy/scope';
import { appendAudit, type AuditInput } from '../audit/log';
import { OPEN_STATUSES } from './machine';
import { caseEvents, cases } from './tables';

/** The action name of the event a merge leaves on the case merged into (not an action anyone takes). */
export const ABSORB_ACTION = 'absorb';

/** Locks both cases of a merge, in id order. */
export async function lockForMerge(tx: Tx, caseId: string, targetId: string): Promise<void> {
  await tx
    .select({ id: cases.id })
    .from(cases)
    .where(inArray(cases.id, [caseId, targetId]))
    .orderBy(sql`${cases.id}`)
    .for('update');
}

/**
 * Checks the case to merge into (a different, open case the actor may read) and records the merge on it; answers
 * its id and number for the duplicate's own event.
 */
export async function absorbInto(
  tx: Tx,
  actor: Actor | null,
  duplicate: { id: string; number: string },
  targetId: string,
  event: { actorId: string | null; actorName: string | null; actorRole: string | null; note: string | null },
  audit: Pick<AuditInput, 'actorId' | 'actorName' | 'ip' | 'requestId'>,
  now: Date,
): Promise<{ id: string; number: string }> {
  if (targetId === duplicate.id)
    throw new AppError('case.merge_self', [{ field: 'body.targetId', rule: 'invalid' }]);
  const [target] = await tx.select().from(cases).where(eq(cases.id, targetId)).for('update');
  if (!target) throw new AppError('case.unknown', [{ field: 'body.targetId', rule: 'exists' }]);
  if (actor && !caseReadable(new Ability(actor), actor, target))
    throw new AppError('forbidden', [{ field: 'body.targetId', rule: 'outOfScope' }]);
  if (!(OPEN_STATUSES as string[]).includes(target.status))
    throw new AppError('case.merge_target_closed', [{ field: 'body.targetId', rule: 'invalid' }]);
  const version = target.version + 1;
  await tx.update(cases).set({ version, updatedAt: now }).where(eq(cases.id, target.id));
  await tx.insert(caseEvents).values({
    caseId: target.id,
    seq: version,
    action: ABSORB_ACTION,
    fromStatus: target.status,
    toStatus: target.status,
    ...event,
    data: { sourceId: duplicate.id, sourceNumber: duplicate.number },
    at: now,
  });
  await appendAudit(tx, {
    ...audit,
    action: `case.${ABSORB_ACTION}`,
    targetType: 'case',
    targetId: target.id,
    areaPath: target.areaPath,
    outcome: 'success',
    details: { number: target.number, sourceId: duplicate.id, sourceNumber: duplicate.number, version },
  });
  return { id: target.id, number: target.number };
}
