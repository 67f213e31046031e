/**
 * One send to one member, and what it means for the record. Nothing here writes the record: the
 * batch's log does, for many members at once.
 *
 * 45015/45047 on a customer-service send → the template, once (§8, §12; 45047 also marks the
 * budget spent). 43004 → failed `unsubscribed`, and the resident is to be marked unsubscribed.
 * -1, 45009, timeouts, network errors → `retry` (the job's next attempt), or failed
 * `attempts_exhausted` on the last one. Anything else → failed `api_error`.
 */
import type { BatchMember, DeliveryChannel, DeliveryFailReason } from '../../models/delivery.js';
import type { MemberOutcome } from '../../models/delivery-log.js';
import type { Notice } from '../../models/notice.js';
import { kfText, templateData } from './message.js';
import { isSendError, type BroadcastDeps } from './ports.js';

/** What every member of a run gets: worked out once per run, not once per send. */
export interface NoticeMessage {
  text: string;
  template: Record<string, string>;
}

export function noticeMessage(deps: Pick<BroadcastDeps, 'clock' | 'templateFields'>, notice: Notice): NoticeMessage {
  return { text: kfText(notice), template: templateData(notice, deps.clock.now(), deps.templateFields) };
}

export interface SendResult {
  outcome: MemberOutcome;
  /** The reserved customer-service message was used up (sent, or maybe sent, or refused by WeChat's own count). */
  kfUsed: boolean;
  /** WeChat says the resident unfollowed (43004). */
  unsubscribed: boolean;
}

type SendDeps = Pick<BroadcastDeps, 'sender' | 'budget' | 'pace' | 'templateId' | 'clock'>;

export async function sendToMember(
  deps: SendDeps,
  message: NoticeMessage,
  m: number,
  member: BatchMember,
  channel: DeliveryChannel,
  lastAttempt: boolean,
): Promise<SendResult> {
  const template = () => deps.sender.sendTemplate(member.openid, deps.templateId, message.template);
  let used = channel;
  let kfFallback = false;
  let msgid: number | undefined;
  try {
    if (channel === 'kf') {
      try {
        await deps.sender.sendText(member.openid, message.text);
      } catch (err) {
        if (!isSendError(err) || (err.code !== 45015 && err.code !== 45047)) throw err;
        if (err.code === 45047) await deps.budget.exhaust(member);
        if (!deps.templateId) return { outcome: failed(deps, m, 'no_template', err.code, err.message), kfUsed: true, unsubscribed: false };
        used = 'template';
        kfFallback = true;
        await deps.pace?.next(); // a second send: it counts against the rate too
        msgid = (await template()).msgid;
      }
    } else {
      msgid = (await template()).msgid;
    }
  } catch (err) {
    return failedSend(deps, m, used, channel === 'kf' && used === 'template', err, lastAttempt);
  }
  const outcome: MemberOutcome = {
    m,
    status: 'sent',
    at: deps.clock.now(),
    channel: used,
    ...(msgid !== undefined ? { msgid } : {}),
    ...(kfFallback ? { kfFallback } : {}),
  };
  return { outcome, kfUsed: channel === 'kf', unsubscribed: false };
}

function failedSend(deps: SendDeps, m: number, used: DeliveryChannel, fellBack: boolean, err: unknown, lastAttempt: boolean): SendResult {
  const code = isSendError(err) ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  // An errcode answer means WeChat sent nothing; a timeout or network error may have gone through.
  const answered = isSendError(err) && err.kind !== 'timeout' && err.kind !== 'network';
  const kfUsed = fellBack || (used === 'kf' && !answered);
  if (code === 43004) return { outcome: failed(deps, m, 'unsubscribed', code, message, used), kfUsed, unsubscribed: true };
  const retryable = isSendError(err) ? err.retryable : true;
  const detail = { ...(code !== undefined ? { errcode: code } : {}), lastError: message, ...(answered ? {} : { uncertain: true }) };
  if (!retryable) return { outcome: { ...failed(deps, m, 'api_error', code, message, used), ...detail }, kfUsed, unsubscribed: false };
  if (lastAttempt) return { outcome: { ...failed(deps, m, 'attempts_exhausted', code, message, used), ...detail }, kfUsed, unsubscribed: false };
  return { outcome: { m, status: 'retry', at: deps.clock.now(), ...detail }, kfUsed, unsubscribed: false };
}

function failed(deps: SendDeps, m: number, reason: DeliveryFailReason, errcode?: number, message?: string, channel?: DeliveryChannel): MemberOutcome {
  return {
    m,
    status: 'failed',
    at: deps.clock.now(),
    failReason: reason,
    ...(channel ? { channel } : {}),
    ...(errcode !== undefined ? { errcode } : {}),
    ...(message ? { lastError: message } : {}),
  };
}
