/**
 * Volunteer sign-up (志愿者报名): name, mobile, skills, when they are free, where they will go,
 * consent to share the mobile with staff, confirm. The sign-up waits for a `committee` or
 * `volunteer_lead` to approve it; approved volunteers get task prompts.
 *
 * Registration comes first: the area a volunteer serves is their community (or only their
 * building), which is also what decides which staff approve them and which tasks reach them.
 *
 * Personal data kept: name and mobile (shared with the community's staff, with consent), skills,
 * availability, area.
 */
import { summaryLines } from '../engine/flow-runner.js';
import { choice, confirm, multiChoice, text, yesNo } from '../engine/parsers.js';
import { maskMobile, mobile } from '../engine/phone.js';
import { DONE, type Answers, type ConversationContext, type FlowDefinition, type Option, type Prompt } from '../engine/types.js';
import { AVAILABILITY, SKILLS, type Area, type Availability, type Skill } from './skills.js';

const SKILL_WORDS: Record<Skill, string[]> = {
  delivery: ['配送', '送货', '跑腿', '搬运', '送菜', 'deliveries', 'delivering', 'carrying'],
  medical: ['医疗', '医护', '护士', '医生', '护理', 'nurse', 'doctor', 'first aid'],
  translation: ['翻译', '外语', '英语', 'translate', 'interpreter', 'interpreting'],
  driving: ['开车', '驾驶', '司机', 'driver', 'car'],
  it: ['电脑', '网络', '手机', '教用手机', 'computers', 'phones', 'tech'],
  counselling: ['心理', '心理疏导', '谈心', '陪伴', 'counseling', 'listening'],
};
export const skillOptions: Option[] = SKILLS.map((s) => ({ value: s, label: { key: `volunteers:skill.${s}` }, aliases: SKILL_WORDS[s] }));
const NO_SKILL: Option = { value: 'none', label: { key: 'volunteers:skill.none' }, aliases: ['一般帮手', '都行', 'general', 'general help'] };

const AVAILABILITY_WORDS: Record<Availability, string[]> = {
  weekday_daytime: ['白天', '工作日', 'daytime', 'weekdays', 'days'],
  weekday_evening: ['晚上', '下班后', 'evening', 'evenings', 'nights'],
  weekend: ['周末', '双休', 'weekends', 'saturday', 'sunday'],
  anytime: ['随时', '都行', '都可以', '任何时间', 'any time', 'always'],
};
const availabilityOptions: Option[] = AVAILABILITY.map((a) => ({ value: a, label: { key: `volunteers:availability.${a}` }, aliases: AVAILABILITY_WORDS[a] }));

const areaOptions: Option[] = [
  { value: 'building', label: { key: 'volunteers:area.building' }, aliases: ['本楼', '只在本楼', '楼里', 'building', 'my building'] },
  {
    value: 'community',
    label: { key: 'volunteers:area.community' },
    aliases: ['社区', '整个社区', '全社区', '都可以', '都行', '哪里都行', 'community', 'anywhere', 'either'],
  },
];

const registeredMobile = (ctx: ConversationContext) => ctx.resident.mobile;

export const signUpFlow: FlowDefinition = {
  id: 'volunteer-sign-up',
  version: 1,
  title: { key: 'volunteers:title' },
  requiresRegistration: true,
  needs: ['volunteer'],
  start(ctx) {
    const v = ctx.facts.volunteer;
    if (v?.status === 'approved') return { outcome: { replies: [{ key: 'volunteers:already_approved', params: { name: v.name } }] } };
    if (v?.status === 'pending') return { outcome: { replies: [{ key: 'volunteers:already_pending', params: { name: v.name } }] } };
    const replies: Prompt[] = v?.status === 'rejected' ? [{ key: 'volunteers:intro_again' }] : [{ key: 'volunteers:intro' }];
    return { replies };
  },
  steps: [
    { id: 'name', label: { key: 'volunteers:name.label' }, ask: { key: 'volunteers:name.ask' }, parse: text({ max: 30 }) },
    {
      id: 'useMobile',
      ask: (_a, ctx) => ({ key: 'volunteers:mobile.ask_registered', params: { mobile: maskMobile(registeredMobile(ctx)) } }),
      parse: yesNo(),
      when: (a, ctx) => !!registeredMobile(ctx) && !a.mobile,
      save: (v, a, ctx) => (v ? { ...a, mobile: registeredMobile(ctx) } : { ...a, mobile: undefined }),
      next: (a) => (a.mobile ? 'skills' : 'mobile'),
    },
    { id: 'mobile', label: { key: 'volunteers:mobile.label' }, ask: { key: 'volunteers:mobile.ask' }, parse: mobile(), when: (a) => !a.mobile },
    {
      id: 'skills',
      label: { key: 'volunteers:skills.label' },
      ask: { key: 'volunteers:skills.ask' },
      parse: multiChoice(skillOptions, { none: NO_SKILL }),
    },
    {
      id: 'availability',
      label: { key: 'volunteers:availability.label' },
      ask: { key: 'volunteers:availability.ask' },
      parse: multiChoice(availabilityOptions),
      // "Any time" says it all.
      save: (v, a) => ({ ...a, availability: (v as string[]).includes('anytime') ? ['anytime'] : v }),
    },
    { id: 'area', label: { key: 'volunteers:area.label' }, ask: { key: 'volunteers:area.ask' }, parse: choice(areaOptions) },
    {
      id: 'consent',
      ask: { key: 'volunteers:consent.ask' },
      parse: yesNo(),
      next: (a) => (a.consent ? 'confirm' : DONE),
    },
    {
      id: 'confirm',
      ask: (a, ctx) => ({ key: 'volunteers:confirm', params: { lines: summaryLines(signUpFlow, a, ctx) } }),
      parse: confirm(),
    },
  ],
  finish(a: Answers) {
    if (!a.consent) return { replies: [{ key: 'volunteers:no_consent' }] };
    return {
      effects: [
        {
          type: 'submitVolunteer',
          volunteer: {
            name: String(a.name),
            mobile: String(a.mobile),
            skills: (a.skills as Skill[]) ?? [],
            availability: (a.availability as Availability[]) ?? [],
            area: a.area as Area,
          },
        },
      ],
      replies: [{ key: 'volunteers:submitted' }],
    };
  },
};
