/**
 * One message to one resident outside a conversation (a request's status, a staff answer, a
 * reminder, a bulk message's recipient): a customer-service message while their 48-hour window is
 * open and its budget lasts, otherwise the template message (wechat-protocol.md §8); a WeCom
 * member gets a WeCom app message. The same channel choice as notice deliveries: the window is
 * the resident cache's where it holds the resident (an inbound is recorded there first), and the
 * budget is the notices' `KfBudget`, so both kinds of message spend one count. Each send takes
 * its turn on the notices' shared pace (BROADCAST_RATE_PER_S) when there is one.
 */
import type { Models } from '../../models/index.js';
import type { Resident } from '../../models/resident.js';
import { windowOpen } from '../broadcast/channel.js';
import { templateData, type TemplateField } from '../broadcast/message.js';
import { isSendError, type KfBudget, type SendPace } from '../broadcast/ports.js';
import type { Clock } from '../ports.js';
import type { Language } from '../../flows/engine/types.js';
import type { KfWindows } from './kf-window.js';

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
  /** The resident cache's windows: fresher than MongoDB for anyone who wrote recently. */
  windows: Pick<KfWindows, 'read'>;
  /** The customer-service budget the notice broadcast reserves from. */
  budget: KfBudget;
  /** BROADCAST_RATE_PER_S, shared with the notices; absent = no limit. */
  pace?: SendPace;
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
    await deps.pace?.next();
    await deps.messenger.sendText('wecom', r.openid, m.text);
    return { sent: 'wecom' };
  }
  const now = deps.clock.now();
  const who = { residentId, openid: r.openid };
  const [cached] = await deps.windows.read([{ channel: 'wechat', openid: r.openid }]);
  const inboundAt = cached ? cached.lastInboundAt : (r.lastInboundAt ?? null);
  const spent = cached ? cached.kfSentSinceInbound : (r.kfSentSinceInbound ?? 0);
  const [reserved] = inboundAt && windowOpen(inboundAt, now) ? await deps.budget.reserve([{ ...who, inboundAt, spent }], now) : [false];
  if (reserved) {
    await deps.pace?.next();
    try {
      await deps.messenger.sendText('wechat', r.openid, m.text);
      return { sent: 'kf' };
    } catch (err) {
      // Window closed or budget spent by WeChat's count: the template instead (§8).
      if (isSendError(err) && err.code === 45047) await deps.budget.exhaust(who);
      else if (!isSendError(err) || err.code !== 45015) {
        // An answered error sent nothing: the message goes back to the budget; a timeout may have gone through.
        if (isSendError(err) && err.kind !== 'timeout' && err.kind !== 'network') await deps.budget.refund([who]);
        throw err;
      }
    }
  }
  if (!deps.templateId) return { sent: false, reason: 'no_template' };
  await deps.pace?.next();
  await deps.messenger.sendTemplate(r.openid, deps.templateId, templateData({ title: m.title, body: m.text, releasedAt: now }, now, deps.templateFields));
  return { sent: 'template' };
}
