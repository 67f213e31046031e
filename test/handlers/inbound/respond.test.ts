import { beforeAll, describe, expect, it } from 'vitest';
import type { i18n as I18n } from 'i18next';
import { createI18n } from '../../../bot/i18n.js';
import { respond, type RespondDeps } from '../../../handlers/inbound/respond.js';
import type { ResidentView } from '../../../handlers/inbound/touch-resident.js';
import type { InboundMessage } from '../../../bot/wechat/inbound.js';
import type { Language } from '../../../models/resident.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await createI18n();
});

/** A resident talking to the pure step, with their language kept as the real store would. */
function conversation(language: Language = 'zh-CN') {
  const resident: ResidentView = { id: 'r1', channel: 'wechat', openid: 'o1', language, subscribed: true, registered: false };
  const deps: RespondDeps = {
    t: (lng) => i18n.getFixedT(lng),
    setLanguage: async (_id, lng) => {
      resident.language = lng;
    },
  };
  const common = { toUser: 'gh_x', fromUser: 'o1', createTime: 1, dedupKey: 'k' };
  const say = async (body: Record<string, unknown>) => {
    const out = await respond(deps, { inbound: { ...common, ...body } as InboundMessage, resident, session: {} });
    return out.reply && out.reply.type === 'text' ? out.reply.content : out.reply;
  };
  return { resident, say };
}

describe('respond (a transcript)', () => {
  it('welcomes a new follower in Chinese, switches to English, and answers menu entries in it', async () => {
    const c = conversation();
    expect(await c.say({ type: 'event', event: 'subscribe' })).toContain('欢迎关注邻里');
    expect(await c.say({ type: 'text', content: 'English' })).toMatch(/^Switched to English\.\nReply with a number/);
    expect(c.resident.language).toBe('en');
    expect(await c.say({ type: 'text', content: '2' })).toBe('"Supplies" opens soon; watch for community notices.');
    expect(await c.say({ type: 'event', event: 'click', key: 'RUMOR_CHECK' })).toContain('Rumour check');
    expect(await c.say({ type: 'text', content: '中文' })).toContain('已切换为中文');
  });

  it('a voice message with recognised text is read like text', async () => {
    expect(await conversation().say({ type: 'voice', mediaId: 'm', format: 'amr', recognition: '健康上报' })).toContain('健康上报');
  });

  it('images, voice without text and unknown types get a polite text reply; silent events get none', async () => {
    const c = conversation('en');
    expect(await c.say({ type: 'image', picUrl: 'u', mediaId: 'm' })).toMatch(/only read text/);
    expect(await c.say({ type: 'voice', mediaId: 'm', format: 'amr' })).toMatch(/only read text/);
    expect(await c.say({ type: 'unknown', msgType: 'miniprogrampage', raw: {} })).toMatch(/only read text/);
    for (const event of ['unsubscribe', 'view', 'location', 'template_send_finished']) expect(await c.say({ type: 'event', event })).toBeNull();
  });
});
