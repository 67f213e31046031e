/**
 * Daily health report (健康上报): temperature, symptoms, today's test, close contact or travel,
 * confirm. One report per resident per local day (a second one replaces it). A returning
 * resident may answer `同昨天`/`same as yesterday`: today's temperature is still asked, the rest
 * is yesterday's. Yellow and red reports alert the building's staff; the resident gets guidance.
 *
 * Personal data kept: temperature, symptoms, test result, contact/travel (sensitive health data:
 * only roles that need it read it, and reads are logged).
 */
import { summaryLines } from '../engine/flow-runner.js';
import { foldForMatch } from '../engine/input.js';
import { choice, confirm, multiChoice, temperature, yesNo } from '../engine/parsers.js';
import type { Answers, ConversationContext, FlowDefinition, Option, Parser } from '../engine/types.js';
import { NONE_OPTION } from '../registration/registration.js';
import { assessRisk, SYMPTOMS, TEST_RESULTS, type HealthAnswers, type Symptom, type TestResult } from './risk.js';

export const SAME_AS_YESTERDAY = [
  '同昨天',
  '和昨天一样',
  '跟昨天一样',
  '一样',
  '没变化',
  '没有变化',
  '同上',
  'same',
  'same as yesterday',
  'no change',
  'unchanged',
];
export const isSameAsYesterday = (text: string) => SAME_AS_YESTERDAY.includes(foldForMatch(text));

const symptomOptions: Option[] = SYMPTOMS.map((s) => ({ value: s, label: { key: `health:symptom.${s}` } }));
const testOptions: Option[] = TEST_RESULTS.map((r) => ({ value: r, label: { key: `health:test.${r}` } }));

const last = (ctx: ConversationContext) => ctx.facts.lastHealthReport ?? null;

/** The temperature, refusing `同昨天` there: today's temperature is always asked. */
function todaysTemperature(): Parser<number> {
  const p = temperature();
  return {
    ...p,
    parse: (text, ctx, a) => (isSameAsYesterday(text) ? { ok: false, hint: { key: 'health:temperature.same_needs_today' } } : p.parse(text, ctx, a)),
  };
}

/** Yesterday's symptoms, test and contact as the answers of today. */
function reuse(a: Answers, ctx: ConversationContext): Answers {
  const l = last(ctx);
  return l ? { ...a, reuse: true, symptoms: l.symptoms, test: l.test, contact: l.contact } : a;
}

export function healthAnswers(a: Answers): HealthAnswers {
  return { temperatureC: Number(a.temperature), symptoms: (a.symptoms as Symptom[]) ?? [], test: a.test as TestResult, contact: !!a.contact };
}

export const healthReportFlow: FlowDefinition = {
  id: 'health-report',
  version: 1,
  title: { key: 'health:title' },
  requiresRegistration: true,
  needs: ['lastHealthReport', 'todayHealthReport'],
  start(ctx, carried) {
    const replies = ctx.facts.todayHealthReport ? [{ key: 'health:already_today' }] : [];
    return { answers: carried.reuse && last(ctx) ? reuse({}, ctx) : {}, replies };
  },
  steps: [
    {
      id: 'temperature',
      label: { key: 'health:temperature.label' },
      ask: (a, ctx) => ({ key: a.reuse ? 'health:temperature.ask_reuse' : last(ctx) ? 'health:temperature.ask_returning' : 'health:temperature.ask' }),
      parse: todaysTemperature(),
      save: (v, a) => ({ ...a, temperature: v }),
      next: (a) => (a.reuse ? 'confirm' : 'same'),
    },
    {
      id: 'same',
      ask: (_a, ctx) => {
        const l = last(ctx)!;
        const yes = (v: boolean) => ({ key: v ? 'engine:yes' : 'engine:no' });
        const symptoms = l.symptoms.length ? l.symptoms.map((s) => ({ key: `health:symptom.${s}` })) : { key: 'engine:none' };
        return { key: 'health:same.ask', params: { symptoms, test: { key: `health:test.${l.test}` }, contact: yes(l.contact) } };
      },
      parse: choice([
        { value: 'same', label: { key: 'health:same.same' }, aliases: SAME_AS_YESTERDAY },
        { value: 'changed', label: { key: 'health:same.changed' }, aliases: ['变了', '有变化', '不一样', 'changed', 'different'] },
      ]),
      when: (a, ctx) => !!last(ctx) && a.reuse === undefined,
      save: (v, a, ctx) => (v === 'same' ? reuse(a, ctx) : { ...a, reuse: false }),
      next: (a) => (a.reuse ? 'confirm' : 'symptoms'),
    },
    {
      id: 'symptoms',
      label: { key: 'health:symptoms.label' },
      ask: { key: 'health:symptoms.ask' },
      parse: multiChoice(symptomOptions, { none: NONE_OPTION }),
    },
    { id: 'test', label: { key: 'health:test.label' }, ask: { key: 'health:test.ask' }, parse: choice(testOptions) },
    { id: 'contact', label: { key: 'health:contact.label' }, ask: { key: 'health:contact.ask' }, parse: yesNo() },
    {
      id: 'confirm',
      ask: (a, ctx) => ({ key: 'health:confirm', params: { lines: summaryLines(healthReportFlow, a, ctx) } }),
      parse: confirm(),
    },
  ],
  finish(a) {
    const answers = healthAnswers(a);
    const risk = assessRisk(answers);
    return {
      effects: [
        { type: 'submitHealthReport', answers, reusedYesterday: !!a.reuse },
        ...(risk.level === 'green' ? [] : [{ type: 'raiseHealthAlert' as const, level: risk.level, reasons: risk.reasons }]),
      ],
      replies: [{ key: 'health:saved', params: { level: { key: `health:level.${risk.level}` } } }, { key: `health:guidance.${risk.level}` }],
    };
  },
};
