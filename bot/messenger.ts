import type { ResidentMessenger } from '../handlers/outbound/tell-resident.js';
import type { TellDeps } from '../handlers/outbound/tell-resident.js';
import type { Runtime } from './runtime.js';

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

export function tellDeps(rt: Runtime): TellDeps {
  return {
    models: rt.models,
    messenger: residentMessenger(rt),
    templateId: rt.config.WECHAT_NOTICE_TEMPLATE_ID,
    templateFields: rt.config.WECHAT_NOTICE_TEMPLATE_FIELDS,
    clock: rt.clock,
  };
}
