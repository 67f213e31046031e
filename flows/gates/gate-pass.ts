/**
 * Gate pass (门岗通行): opened by scanning a gate's poster (scene `g:<gateId>`, as a follow or a
 * scan). A resident of the gate's community answers one question — out or in — and gets a pass
 * (time, gate, direction, a short code the gate keeper reads); anyone else is a visitor and fills
 * a short form first (name, mobile, whom they visit, purpose). A visitor let in earlier that day
 * leaves with the one question too. The closed-management rules are checked by the effect, which
 * answers with the pass or the reason it was refused (`gatePass`).
 *
 * Personal data kept: every pass (who, gate, direction, time); a visitor's name, mobile, host and
 * purpose.
 */
import type { Route } from '../engine/engine.js';
import { summaryLines } from '../engine/flow-runner.js';
import { choice, confirm, text } from '../engine/parsers.js';
import { mobile } from '../engine/phone.js';
import { localDate } from '../engine/time.js';
import { DONE, type Answers, type ConversationContext, type FlowDefinition, type Option, type Parser } from '../engine/types.js';
import { parseScene } from '../registration/scenes.js';
import type { GateDirection } from './rules.js';

const DIRECTION_OPTIONS: Option[] = [
  {
    value: 'out',
    label: { key: 'gates:direction.out' },
    aliases: ['出', '出门', '外出', '出去', '离开', 'out', 'go out', 'going out', 'exit', 'leave', 'leaving'],
  },
  { value: 'in', label: { key: 'gates:direction.in' }, aliases: ['进', '进门', '入', '回来', '回家', '进来', 'in', 'enter', 'coming in', 'come in', 'home'] },
];

export const VISIT_PURPOSES = ['family', 'delivery', 'repair', 'care', 'other'] as const;
const PURPOSE_WORDS: Record<(typeof VISIT_PURPOSES)[number], string[]> = {
  family: ['探亲', '访友', '亲戚', '朋友', 'family', 'friend', 'visit'],
  delivery: ['送货', '快递', '外卖', '送物资', 'delivery', 'parcel'],
  repair: ['维修', '修理', '上门服务', 'repair', 'fix'],
  care: ['护理', '看护', '医疗', '保姆', 'care', 'nurse', 'medical'],
  other: ['其它', '别的', 'other'],
};
const purposeOptions: Option[] = VISIT_PURPOSES.map((p) => ({ value: p, label: { key: `gates:purpose.${p}` }, aliases: PURPOSE_WORDS[p] }));

/** A visitor's mobile is required: the hint does not offer to skip it. */
const visitorMobile = (): Parser<string> => {
  const p = mobile();
  return {
    ...p,
    parse: (t, ctx, a) => {
      const r = p.parse(t, ctx, a);
      return r.ok ? r : { ok: false, hint: { key: 'gates:mobile.hint' } };
    },
  };
};

const gateOf = (a: Answers, ctx: ConversationContext) => (ctx.facts.gates ?? []).find((g) => g.id === a.gate);

/** A resident of the gate's community passes as a resident; everyone else as a visitor. */
export function isResidentAt(ctx: ConversationContext, communityCode: string): boolean {
  return ctx.resident.registered && ctx.resident.registration?.communityCode === communityCode;
}

export const gatePassFlow: FlowDefinition = {
  id: 'gate-pass',
  version: 1,
  title: { key: 'gates:title' },
  needs: ['gates', 'gatePresence'],
  start(ctx, carried) {
    const gate = (ctx.facts.gates ?? []).find((g) => g.id === carried.gate);
    if (!gate) return { outcome: { replies: [{ key: 'gates:unknown_gate' }] } };
    const p = ctx.facts.gatePresence;
    const resident = isResidentAt(ctx, gate.communityCode);
    // A visitor let in today leaves with one tap; a new visit starts with the form.
    const visiting = !resident && !!p?.visitor && p.state === 'in' && p.communityCode === gate.communityCode && p.date === localDate(ctx.now, ctx.timeZone);
    const answers: Answers = { gate: gate.id, visitor: !resident };
    if (resident || visiting) return { answers, at: 'direction' };
    return { answers, replies: [{ key: 'gates:visitor_intro', params: { gate: gate.name, community: gate.communityName } }], at: 'name' };
  },
  steps: [
    {
      id: 'direction',
      ask: (a, ctx) => ({ key: 'gates:direction.ask', params: { gate: gateOf(a, ctx)?.name ?? '' } }),
      parse: choice(DIRECTION_OPTIONS),
      next: DONE,
    },
    { id: 'name', label: { key: 'gates:name.label' }, ask: { key: 'gates:name.ask' }, parse: text({ max: 20, min: 1 }) },
    { id: 'mobile', label: { key: 'gates:mobile.label' }, ask: { key: 'gates:mobile.ask' }, parse: visitorMobile() },
    { id: 'host', label: { key: 'gates:host.label' }, ask: { key: 'gates:host.ask' }, parse: text({ max: 40, min: 2 }) },
    { id: 'purpose', label: { key: 'gates:purpose.label' }, ask: { key: 'gates:purpose.ask' }, parse: choice(purposeOptions) },
    {
      id: 'confirm',
      ask: (a, ctx) => ({ key: 'gates:confirm', params: { lines: summaryLines(gatePassFlow, a, ctx) } }),
      parse: confirm(),
    },
  ],
  finish(a) {
    const direction: GateDirection = a.direction === 'out' ? 'out' : 'in';
    const visitor = a.visitor && a.name ? { name: String(a.name), mobile: String(a.mobile), host: String(a.host), purpose: String(a.purpose) } : undefined;
    return {
      effects: [{ type: 'requestGatePass', gateId: String(a.gate), direction, ...(visitor ? { visitor } : {}) }],
      replies: [{ key: 'gates:outcome' }],
    };
  },
};

/** A gate poster's scene (`g:<gateId>`) opens the gate pass, whether followed or scanned. */
export function gateRoute(scene: string | undefined): Route | undefined {
  const s = parseScene(scene);
  return s.kind === 'gate' ? { kind: 'flow', flow: gatePassFlow.id, carried: { gate: s.gate } } : undefined;
}
