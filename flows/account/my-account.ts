/**
 * `我的` / `my account`: what we know about the resident (registration, language) and a way to
 * change it: registration again (pre-filled, straight to its summary), the other language, or
 * the list of supply requests.
 */
import { choice } from '../engine/parsers.js';
import type { Answers, ConversationContext, FlowDefinition, Prompt } from '../engine/types.js';

function registrationAnswers(ctx: ConversationContext): Answers {
  const r = ctx.resident.registration;
  if (!ctx.resident.registered || !r) return {};
  return {
    community: r.communityCode,
    building: r.buildingCode,
    room: { ...(r.unit ? { unit: r.unit } : {}), room: r.room },
    householdSize: r.householdSize,
    vulnerable: ctx.resident.vulnerable ?? [],
    mobile: ctx.resident.mobile ?? '',
    review: true,
  };
}

function profile(ctx: ConversationContext): Prompt {
  const r = ctx.resident.registration;
  if (!ctx.resident.registered || !r) return { key: 'account:unregistered' };
  const vulnerable = ctx.resident.vulnerable?.length ? ctx.resident.vulnerable.map((v) => ({ key: `registration:vulnerable.${v}` })) : { key: 'engine:none' };
  return {
    key: 'account:profile',
    params: {
      community: r.communityName ?? r.communityCode,
      building: r.buildingName ?? r.buildingCode,
      room: { key: r.unit ? 'registration:room.unit_room' : 'registration:room.room_only', params: { unit: r.unit, room: r.room } },
      size: r.householdSize,
      vulnerable,
      language: { key: `account:language.${ctx.resident.language}` },
    },
  };
}

export const myAccountFlow: FlowDefinition = {
  id: 'my-account',
  version: 1,
  title: { key: 'account:title' },
  start: (ctx) => ({ replies: [profile(ctx)] }),
  steps: [
    {
      id: 'action',
      ask: { key: 'account:ask' },
      parse: choice([
        { value: 'registration', label: { key: 'account:action.registration' }, aliases: ['登记', '修改登记', '注册', 'register', 'registration'] },
        { value: 'language', label: { key: 'account:action.language' }, aliases: ['语言', 'language'] },
        { value: 'requests', label: { key: 'account:action.requests' }, aliases: ['我的求助', 'requests', 'my requests'] },
      ]),
    },
  ],
  finish(a, ctx) {
    if (a.action === 'language') {
      const language = ctx.resident.language === 'en' ? 'zh-CN' : 'en';
      return { effects: [{ type: 'setLanguage', language }], replies: [{ key: 'common:language_switched' }, { key: 'common:menu' }] };
    }
    if (a.action === 'requests') return { followUp: 'my-requests' };
    return { followUp: 'registration', carry: registrationAnswers(ctx) };
  },
};
