/**
 * Outbound messages (SMS, WeChat) through the outbox: a row is written in the transaction of the business change
 * (so a rolled-back action sends nothing), then a delivery loop hands it to a pluggable sender, at least once:
 * a row is claimed with a lease (attempts + 1, next try pushed out), sent, and only then marked sent. A crash
 * between sending and marking sends it again after the lease; the sender gets the dedupe key so a provider can
 * drop the repeat. Failures retry with exponential backoff and end as `failed` after the configured attempts.
 */
import { eq, sql } from 'drizzle-orm';
import type { AppContext, SmsSender } from '../../context';
import { maskPhone } from '../../crypto';
import { queryRows, type Tx } from '../../db/client';
import { outbox } from './tables';

export type Channel = 'sms' | 'wechat';

export interface OutboundMessage {
  id: number;
  channel: Channel;
  /** The phone number or openid, decrypted for the sender only. */
  recipient: string;
  template: string;
  params: Record<string, unknown>;
  /** The same key is never sent twice by Linli after success; providers may use it to drop repeats. */
  dedupeKey: string;
  /** 1 on the first try. */
  attempt: number;
}

/** Delivers one message; throws when it could not (the row is retried). */
export interface MessageSender {
  send(message: OutboundMessage): Promise<void>;
}

/** zh-CN texts of the SMS templates. Parameters are case numbers and such, never names or phone numbers. */
export const SMS_TEMPLATES: Record<string, string> = {
  'case.closed': '【邻里】您反映的问题（编号 {number}）已办结，请登录邻里对办理结果进行评价。',
  'case.declined': '【邻里】您反映的问题（编号 {number}）未予受理，原因可凭编号查询。',
};

/** The text of a message: its template with `{name}` replaced by the parameters. */
export function renderMessage(template: string, params: Record<string, unknown>): string {
  const text = SMS_TEMPLATES[template] ?? `【邻里】${template}`;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** The default sender for installs without a gateway: writes the message (recipient masked) to the log. */
export function logMessageSender(log: (msg: string) => void): MessageSender {
  return {
    async send(m) {
      const to = m.channel === 'sms' ? maskPhone(m.recipient) : m.recipient.slice(0, 4) + '…';
      log(`[${m.channel} to ${to}] ${renderMessage(m.template, m.params)} (key ${m.dedupeKey})`);
    },
  };
}

/**
 * SMS through the context's SMS sender (the one that sends login codes), so a deployment that plugs its SMS
 * gateway in there gets case messages too; other channels go to `other`. `sms` is read at send time because the
 * server replaces it once the logger exists.
 */
export function smsContextSender(getSms: () => SmsSender, other: MessageSender): MessageSender {
  return {
    async send(m) {
      if (m.channel === 'sms') await getSms().send(m.recipient, renderMessage(m.template, m.params));
      else await other.send(m);
    },
  };
}

export interface MessageInput {
  channel: Channel;
  /** A phone number (sms) or an openid (wechat), stored encrypted. */
  recipient: string;
  template: string;
  params: Record<string, unknown>;
  dedupeKey: string;
  caseId?: string | null;
}

/** Queues a message in the caller's transaction; a second message with the same key is dropped. */
export async function enqueueMessage(ctx: AppContext, tx: Tx, m: MessageInput): Promise<boolean> {
  const rows = await tx
    .insert(outbox)
    .values({
      channel: m.channel,
      recipientEnc: ctx.secrets.encrypt(m.recipient),
      recipientMasked: m.channel === 'sms' ? maskPhone(m.recipient) : `${m.recipient.slice(0, 4)}…`,
      template: m.template,
      params: m.params,
      dedupeKey: m.dedupeKey,
      caseId: m.caseId ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: outbox.id });
  return rows.length === 1;
}

/** Seconds before the next try after `attempts` failed ones: 30 s, 1 min, 2 min … at most an hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

/** How long a claimed row is left alone before it counts as abandoned (the sender crashed) and is tried again. */
export const LEASE_SECONDS = 300;

interface ClaimedRow {
  id: number | string;
  channel: Channel;
  recipient_enc: string;
  template: string;
  params: Record<string, unknown> | string;
  dedupe_key: string;
  attempts: number;
}

/**
 * Claims up to `batch` due rows in one statement (`for update skip locked`, so servers never claim the same row):
 * counts the attempt and pushes the next try out by the lease.
 */
export async function claimDue(tx: Tx, now: Date, batch: number): Promise<ClaimedRow[]> {
  return queryRows<ClaimedRow>(
    tx,
    sql`update outbox set attempts = attempts + 1,
          next_attempt_at = ${now.toISOString()}::timestamptz + make_interval(secs => ${LEASE_SECONDS})
        where id in (
          select id from outbox where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
          order by next_attempt_at, id limit ${batch} for update skip locked)
        returning id, channel, recipient_enc, template, params, dedupe_key, attempts`,
  );
}

export interface DeliveryResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

/** One round of delivery: claims due messages, sends each, marks it sent or schedules the retry. */
export async function deliverOutbox(
  ctx: AppContext,
  sender: MessageSender,
  opts: { batch?: number; now?: Date; maxAttempts?: number } = {},
): Promise<DeliveryResult> {
  const now = opts.now ?? new Date();
  const maxAttempts = opts.maxAttempts ?? ctx.config.outboxMaxAttempts;
  const rows = await claimDue(ctx.db, now, opts.batch ?? 50);
  const result: DeliveryResult = { claimed: rows.length, sent: 0, retried: 0, failed: 0 };
  for (const r of rows) {
    const id = Number(r.id);
    let error: string | null = null;
    try {
      const params =
        typeof r.params === 'string' ? (JSON.parse(r.params) as Record<string, unknown>) : r.params;
      await sender.send({
        id,
        channel: r.channel,
        recipient: ctx.secrets.decrypt(r.recipient_enc),
        template: r.template,
        params: params ?? {},
        dedupeKey: r.dedupe_key,
        attempt: r.attempts,
      });
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, 500) || 'error';
    }
    if (error === null) {
      await ctx.db
        .update(outbox)
        .set({ status: 'sent', sentAt: new Date(), lastError: null })
        .where(eq(outbox.id, id));
      result.sent++;
    } else if (r.attempts >= maxAttempts) {
      await ctx.db.update(outbox).set({ status: 'failed', lastError: error }).where(eq(outbox.id, id));
      result.failed++;
    } else {
      const next = new Date(now.getTime() + backoffSeconds(r.attempts) * 1000);
      await ctx.db.update(outbox).set({ nextAttemptAt: next, lastError: error }).where(eq(outbox.id, id));
      result.retried++;
    }
  }
  return result;
}
