/**
 * A resident playing the bot through the real webhook: each call pushes one message exactly as
 * WeChat would (signed, in the chosen mode) and returns the bot's text. Events get increasing
 * CreateTimes so two clicks in one second are not the same push to the dedup step.
 */
import { expect } from 'vitest';
import { replyText } from '../../scripts/chat/wechat-reply.js';
import type { ResidentAction, WireMode } from '../../scripts/chat/wechat-request.js';
import type { PushAnswer, WechatTestClient } from './wechat-client.js';

let tick = 0;

export interface ResidentPlayer {
  openid: string;
  /** Push an action; the answer as sent. */
  push(action: ResidentAction, o?: { msgId?: string }): Promise<PushAnswer>;
  /** Text message → the bot's text ('' for an empty answer). */
  say(text: string): Promise<string>;
  click(key: string): Promise<string>;
  subscribe(scene?: string): Promise<string>;
  scan(scene: string): Promise<string>;
  image(): Promise<string>;
  /** A voice message, with WeChat's speech recognition text when given. */
  voice(recognition?: string): Promise<string>;
}

export const answerText = (res: PushAnswer): string => {
  expect(res.status, res.body).toBe(200);
  return res.reply ? replyText(res.reply) : '';
};

/** `nowS`: the server's clock in seconds, when a test moves it (push timestamps must be fresh to it). */
export function residentPlayer(wx: WechatTestClient, openid: string, o: { mode?: WireMode; nowS?: () => number } = {}): ResidentPlayer {
  const nowS = o.nowS ?? (() => Math.floor(Date.now() / 1000));
  const push = (action: ResidentAction, p: { msgId?: string } = {}) =>
    wx.push(action, { openid, mode: o.mode ?? 'plain', createTime: nowS() + ++tick, timestamp: nowS(), ...(p.msgId ? { msgId: p.msgId } : {}) });
  const text = async (action: ResidentAction) => answerText(await push(action));
  return {
    openid,
    push,
    say: (content) => text({ type: 'text', content }),
    click: (key) => text({ type: 'click', key }),
    subscribe: (sceneKey) => text({ type: 'subscribe', ...(sceneKey ? { sceneKey } : {}) }),
    scan: (sceneKey) => text({ type: 'scan', sceneKey }),
    image: () => text({ type: 'image', picUrl: 'http://mmbiz.qpic.cn/x', mediaId: 'm1' }),
    voice: (recognition) =>
      text({ type: 'raw', msgType: 'voice', fields: { MediaId: 'v1', Format: 'amr', ...(recognition ? { Recognition: recognition } : {}) } }),
  };
}

/** Register through the chat: building poster b:c1:b1, room 2-301, 2 people, elderly alone, a mobile. */
export async function registerThroughChat(r: ResidentPlayer, language: 'zh-CN' | 'en' = 'zh-CN'): Promise<ResidentPlayer> {
  await r.subscribe('b:c1:b1');
  if (language === 'en') await r.say('English');
  await r.say('2-301');
  await r.say('2');
  await r.say('1');
  await r.say('13812345678');
  expect(await r.say('1')).toMatch(/登记完成|Registration complete/);
  return r;
}

/** Through the menu: a food request for rice and oil, needed today (a 24-hour window), confirmed. */
export async function requestSuppliesToday(r: ResidentPlayer): Promise<void> {
  await r.say('2');
  await r.say('1');
  await r.say('米和油');
  await r.say('1');
  await r.say('是');
  expect(await r.say('1')).toContain('求助已提交');
}
