/**
 * Registration (登记): where a resident lives and who is in the household, so reports reach the
 * building's staff and help reaches the door. Offered after the welcome and before the first
 * service that needs it; a community or building QR poster pre-fills those questions.
 *
 * Personal data kept: community, building, unit/room, household size, vulnerable flags, mobile
 * number (optional; its last four digits link the resident to a household from the roster).
 */
import { mobile } from '../engine/phone.js';
import { choice, confirm, multiChoice, number } from '../engine/parsers.js';
import { summaryLines } from '../engine/flow-runner.js';
import { normalizeInput } from '../engine/input.js';
import type { Answers, ConversationContext, FlowDefinition, Option, Parser } from '../engine/types.js';
import type { CommunityFact } from '../engine/facts.js';
import { parseScene } from './scenes.js';

export const VULNERABLE_OPTIONS: Option[] = [
  { value: 'elderlyAlone', label: { key: 'registration:vulnerable.elderlyAlone' }, aliases: ['独居', '独居老人', 'elderly', 'alone'] },
  { value: 'chronicIllness', label: { key: 'registration:vulnerable.chronicIllness' }, aliases: ['慢性病', '慢病', 'chronic'] },
  { value: 'pregnancy', label: { key: 'registration:vulnerable.pregnancy' }, aliases: ['孕妇', '怀孕', 'pregnant'] },
  { value: 'disability', label: { key: 'registration:vulnerable.disability' }, aliases: ['残疾', '残障', 'disabled'] },
  { value: 'infant', label: { key: 'registration:vulnerable.infant' }, aliases: ['婴儿', '婴幼儿', 'baby', 'infant'] },
];
export const NONE_OPTION: Option = { value: 'none', label: { key: 'engine:none_of_these' } };

const communities = (ctx: ConversationContext): CommunityFact[] => ctx.facts.communities ?? [];
const communityOf = (a: Answers, ctx: ConversationContext) => communities(ctx).find((c) => c.code === a.community);

const communityOptions = (ctx: ConversationContext): Option[] =>
  communities(ctx).map((c) => ({ value: c.code, label: { key: 'engine:raw', params: { value: c.name } }, aliases: [c.code] }));
const buildingOptions = (a: Answers, ctx: ConversationContext): Option[] =>
  (communityOf(a, ctx)?.buildings ?? []).map((b) => ({ value: b.code, label: { key: 'engine:raw', params: { value: b.name } }, aliases: [b.code] }));

/** `301`, `2单元301`, `2-301`, `2/301室`, `unit 2 room 301` → {unit?, room}. */
export function parseRoom(raw: string): { unit?: string; room: string } | undefined {
  const t = normalizeInput(raw).replace(/\s+/g, '').toLowerCase().replace(/^unit/, '').replace(/room/, '-');
  const m = /^(?:(\d{1,3})(?:单元|-|—|_|\/|,|\.))?-?(\d{1,5})(?:室|号|房)?$/.exec(t);
  if (!m) return undefined;
  return { ...(m[1] ? { unit: m[1] } : {}), room: m[2]! };
}

const room = (): Parser<{ unit?: string; room: string }> => ({
  kind: 'text',
  parse: (text) => {
    const r = parseRoom(text);
    return r ? { ok: true, value: r } : { ok: false, hint: { key: 'registration:room.hint' } };
  },
  describe: (v) => ({ key: v.unit ? 'registration:room.unit_room' : 'registration:room.room_only', params: v }),
});

export const registrationFlow: FlowDefinition = {
  id: 'registration',
  version: 1,
  title: { key: 'registration:title' },
  needs: ['communities'],
  start(ctx, carried) {
    // A QR poster's scene, or the only community there is, answers the first questions.
    const scene = parseScene(typeof carried.scene === 'string' ? carried.scene : ctx.resident.subscribeScene);
    const known = communities(ctx);
    const answers: Answers = {};
    if (scene.kind === 'community' || scene.kind === 'building') {
      const c = known.find((x) => x.code === scene.community);
      if (c) {
        answers.community = c.code;
        if (scene.kind === 'building' && c.buildings.some((b) => b.code === scene.building)) answers.building = scene.building;
      }
    }
    if (!answers.community && known.length === 1) answers.community = known[0]!.code;
    if (!known.length) return { outcome: { replies: [{ key: 'registration:no_communities' }], abandon: true } };
    // From "my account": everything is known; go straight to the summary to change what is wrong.
    if (carried.review) return { answers: { ...carried, ...answers, community: carried.community }, at: 'confirm' };
    return { answers, replies: [{ key: 'registration:intro' }] };
  },
  steps: [
    {
      id: 'community',
      label: { key: 'registration:community.label' },
      ask: { key: 'registration:community.ask' },
      parse: choice((ctx) => communityOptions(ctx)),
      when: (a) => !a.community,
    },
    {
      id: 'building',
      label: { key: 'registration:building.label' },
      ask: (a, ctx) => ({ key: 'registration:building.ask', params: { community: communityOf(a, ctx)?.name ?? '' } }),
      parse: choice((ctx, a) => buildingOptions(a, ctx)),
      // A different community means its buildings must be asked again.
      when: (a, ctx) => !a.building || !buildingOptions(a, ctx).some((b) => b.value === a.building),
    },
    { id: 'room', label: { key: 'registration:room.label' }, ask: { key: 'registration:room.ask' }, parse: room() },
    {
      id: 'householdSize',
      label: { key: 'registration:householdSize.label' },
      ask: { key: 'registration:householdSize.ask' },
      parse: number({ min: 1, max: 20, integer: true, unit: /(个人|口人|人|口|位|people|persons?)$/i }),
    },
    {
      id: 'vulnerable',
      label: { key: 'registration:vulnerable.label' },
      ask: { key: 'registration:vulnerable.ask' },
      parse: multiChoice(VULNERABLE_OPTIONS, { none: NONE_OPTION }),
    },
    { id: 'mobile', label: { key: 'registration:mobile.label' }, ask: { key: 'registration:mobile.ask' }, parse: mobile({ optional: true }) },
    {
      id: 'confirm',
      ask: (a, ctx) => ({ key: 'registration:confirm', params: { lines: summaryLines(registrationFlow, a, ctx) } }),
      parse: confirm(),
    },
  ],
  finish(a, ctx) {
    const r = a.room as { unit?: string; room: string };
    return {
      effects: [
        {
          type: 'saveRegistration',
          registration: {
            communityCode: String(a.community),
            buildingCode: String(a.building),
            ...(r.unit ? { unit: r.unit } : {}),
            room: r.room,
            householdSize: Number(a.householdSize),
            vulnerable: (a.vulnerable as string[]) ?? [],
            ...(a.mobile ? { mobile: String(a.mobile) } : {}),
            ...(typeof a.scene === 'string' ? { scene: a.scene } : {}),
          },
        },
      ],
      replies: [{ key: 'registration:done', params: { community: communityOf(a, ctx)?.name ?? '' } }],
    };
  },
};
