/**
 * Rumour check (`谣言查询` / menu 4): the resident sends a claim — typed, pasted, or a forwarded
 * article's title — and gets the released fact-check that answers it: its verdict, explanation and
 * source. When two fact-checks are close, or one is only likely, the resident chooses among them
 * (or "none of these"); when nothing answers it, the question joins or opens a pending claim and
 * the resident is told they will hear back. Registration is not needed.
 *
 * The matching is done by the caller: the `claim` step's `lookup` asks it for the fact base's
 * answer to the text (`facts.rumorCheck`) before the step reads it.
 *
 * Personal data kept: the claim's text (on the claim, for staff) and which fact-checks the
 * resident was told (receipts, so a correction reaches them). Started by a long message sent
 * outside any flow (`unprompted`), it answers a clear match and otherwise asks first.
 */
import { MAX_INPUT_CHARS } from '../engine/input.js';
import { choice, text, yesNo } from '../engine/parsers.js';
import type { Answers, FlowDefinition, Option, Parser } from '../engine/types.js';
import { cardPrompt, type RumorCheck, type ScoredCard } from './card.js';

export const RUMOR_FLOW = 'rumor-check';

const checkOf = (a: Answers): RumorCheck => (a.check as RumorCheck | undefined) ?? { match: null, candidates: [] };
const answered = (a: Answers): ScoredCard | null => checkOf(a).match;
const NONE = 'none';

// A claim is a sentence: one or two characters (a stray "好" or "否") would open a claim nobody can check.
const freeText = text({ max: MAX_INPUT_CHARS, min: 4 });

/** The claim, with what the fact base says about it (looked up by the caller for this text). */
const claimParser: Parser<{ text: string; check: RumorCheck }> = {
  kind: 'text',
  parse(raw, ctx, a) {
    const t = freeText.parse(raw, ctx, a);
    if (!t.ok) return t;
    const found = ctx.facts.rumorCheck;
    return { ok: true, value: { text: t.value, check: { match: found?.match ?? null, candidates: found?.candidates ?? [] } } };
  },
};

const candidateOptions = (_ctx: unknown, a: Answers): Option[] => [
  ...checkOf(a).candidates.map((c) => ({ value: c.id, label: { key: 'rumors:candidate', params: { claim: c.claim } } })),
  { value: NONE, label: { key: 'rumors:none_of_these' }, aliases: ['都不是', '都不对', '没有', '不是', 'none', 'neither', 'no'] },
];

export const rumorCheckFlow: FlowDefinition = {
  id: RUMOR_FLOW,
  version: 1,
  title: { key: 'rumors:title' },
  steps: [
    {
      id: 'claim',
      ask: { key: 'rumors:ask' },
      lookup: 'rumorCheck',
      parse: claimParser,
      save: (v, a) => {
        const { text: claim, check } = v as { text: string; check: RumorCheck };
        return { ...a, claim, check };
      },
    },
    { id: 'offer', ask: { key: 'rumors:offer' }, parse: yesNo(), when: (a) => !!a.unprompted && !answered(a) },
    {
      id: 'choose',
      ask: { key: 'rumors:choose' },
      parse: choice(candidateOptions),
      when: (a) => !answered(a) && checkOf(a).candidates.length > 0 && a.offer !== false,
    },
  ],
  finish(a, ctx) {
    if (a.offer === false) return { replies: [{ key: 'rumors:offer_declined' }, { key: 'common:menu' }] };
    const card = answered(a) ?? checkOf(a).candidates.find((c) => c.id === a.choose);
    if (card) {
      return {
        effects: [{ type: 'recordRumorAnswer', factCheckId: card.id, version: card.version }],
        replies: [{ key: 'rumors:found' }, cardPrompt(card, ctx.resident.language), { key: 'rumors:another' }],
      };
    }
    return { effects: [{ type: 'askClaim', text: String(a.claim) }], replies: [{ key: 'rumors:claim_opened' }] };
  },
};
