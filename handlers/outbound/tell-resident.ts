/**
 * One message to one resident outside a conversation (a request's status, a staff answer, a
 * reminder): a customer-service message while their 48-hour window is open and its budget lasts,
 * otherwise the template message (wechat-protocol.md §8); a WeCom member gets a WeCom app message.
 * The same channel rules as notice deliveries.
 */
import type { Models } from '../../models/index.js';
import type { Resident } from '../../models/resident.js';
import { KF_BUDGET, windowOpen } from '../broadcast/channel.js';
import { templateData, type TemplateField } from '../broadcast/message.js';
import { isSendError } from '../broadcast/ports.js';
import type { Clock } from '../ports.js';
import type { Language } from '../../flows/engine/types.js';

export interface ResidentMessenger {
  /** Official Account customer-service text, or a WeCom app text for a WeCom member. */
  sendText(channel: 'wechat' | 'wecom', openid: string, text: string): Promise<void>;
  sendTemplate(openid: string, templateId: string, data: Record<string, string>): Promise<{ msgid: number }>;
}

export interface TellDeps {
  models: Models;
  messenger: ResidentMessenger;
  /** WECHAT_NOTICE_TEMPLATE_ID (empty: outside the window nothing can be sent). */
  templateId: string;
  templateFields?: TemplateField[];
  clock: Clock;
}

export type TellOutcome = { sent: 'kf' | 'template' | 'wecom' } | { sent: false; reason: 'unsubscribed' | 'no_template' | 'unknown_resident' };

type ResidentDoc = Pick<Resident, 'channel' | 'openid' | 'subscribed' | 'lastInboundAt' | 'kfSentSinceInbound' | 'language'> & { _id: unknown };

/** The message, or a function of the resident's language that makes it. */
export type TellMessage = { title: string; text: string } | ((language: Language) => { title: string; text: string });

export async function tellResident(deps: TellDeps, residentId: string, message: TellMessage): Promise<TellOutcome> {
  const r = await deps.models.Resident.findById(residentId).lean<ResidentDoc>();
  if (!r) return { sent: false, reason: 'unknown_resident' };
  if (r.subscribed === false) return { sent: false, reason: 'unsubscribed' };
  const m = typeof message === 'function' ? message(r.language ?? 'zh-CN') : message;
  if (r.channel === 'wecom') {
    await deps.messenger.sendText('wecom', r.openid, m.text);
    return { sent: 'wecom' };
  }
  const now = deps.clock.now();
  if (windowOpen(r.lastInboundAt, now) && (r.kfSentSinceInbound ?? 0) < KF_BUDGET) {
    await deps.models.Resident.updateOne({ _id: r._id }, { $inc: { kfSentSinceInbound: 1 } });
    try {
      await deps.messenger.sendText('wechat', r.openid, m.text);
      return { sent: 'kf' };
    } catch (err) {
      // Window closed or budget spent by WeChat's count: the template instead; other errors are the caller's.
      if (!isSendError(err) || (err.code !== 45015 && err.code !== 45047)) throw err;
    }
  }
  if (!deps.templateId) return { sent: false, reason: 'no_template' };
  await deps.messenger.sendTemplate(r.openid, deps.templateId, templateData({ title: m.title, body: m.text, releasedAt: now }, now, deps.templateFields));
  return { sent: 'template' };
}
