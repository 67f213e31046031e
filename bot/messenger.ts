import type { ResidentMessenger } from '../handlers/outbound/tell-resident.js';
import type { TellDeps } from '../handlers/outbound/tell-resident.js';
import type { Runtime } from './runtime.js';
import { redisKfBudget } from './broadcast/kf-budget.js';
import { redisSendPace } from './broadcast/rate-limit.js';
import { redisKfWindows } from './residents/kf-window.js';

/** Messages to residents outside a conversation: the Official Account, or the WeCom app for members. */
export function residentMessenger(rt: Runtime): ResidentMessenger {
  return {
    async sendText(channel, openid, text) {
      if (channel === 'wecom') {
        if (!rt.wecom) throw new Error('WeCom is not configured');
        await rt.wecom.sendText({ touser: [openid] }, text);
      } else await rt.wechat.sendText(openid, text);
    },
    sendTemplate: (openid, templateId, data) => rt.wechat.sendTemplate(openid, templateId, data),
  };
}

/** What `tellResident` needs: the notices' window source, budget and send pace, so both share them. */
export function tellDeps(rt: Runtime): TellDeps {
  const windows = redisKfWindows(rt.redis, rt.config.RESIDENT_WRITE_BACK_MS);
  const pace = redisSendPace(rt.redis, rt.config.BROADCAST_RATE_PER_S);
  return {
    models: rt.models,
    messenger: residentMessenger(rt),
    templateId: rt.config.WECHAT_NOTICE_TEMPLATE_ID,
    templateFields: rt.config.WECHAT_NOTICE_TEMPLATE_FIELDS,
    clock: rt.clock,
    windows,
    budget: redisKfBudget(rt.redis, windows),
    ...(pace ? { pace } : {}),
  };
}
