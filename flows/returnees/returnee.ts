/**
 * Returnee registration (返回登记 / I'm back): where from (province/city, free text), the day of
 * arrival, the transport, confirm — then the daily health report's questions (the health report
 * flow follows; one definition of those questions). A return from one of the community's risk
 * areas starts a home observation of the configured number of days, counted from the arrival:
 * daily reports required, reminders at the configured times (named in the message), an alert to the building's staff on a missed
 * report, and a message on the last day.
 *
 * Personal data kept: where from, arrival day, transport, the observation period.
 */
import { summaryLines } from '../engine/flow-runner.js';
import { choice, confirm, text } from '../engine/parsers.js';
import { dayPrompt, localDate } from '../engine/time.js';
import type { FlowDefinition, Option, Reply } from '../engine/types.js';
import { arrivalDate } from './arrival-date.js';
import { matchRiskArea, observationPeriod } from './risk-areas.js';

export const TRANSPORTS = ['train', 'plane', 'coach', 'car', 'other'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Observation days when the community configured none. */
export const DEFAULT_OBSERVATION_DAYS = 7;
/** Reminder times when the community configured none. */
export const DEFAULT_REMIND_AT = ['09:00', '18:00'];

const TRANSPORT_WORDS: Record<Transport, string[]> = {
  train: ['火车', '高铁', '动车', '铁路', 'train', 'rail', 'high-speed rail'],
  plane: ['飞机', '航班', '坐飞机', 'plane', 'flight', 'flew', 'air'],
  coach: ['大巴', '汽车', '长途车', '客车', 'bus', 'coach'],
  car: ['自驾', '开车', '私家车', '打车', 'car', 'drove', 'taxi'],
  other: ['其它', '别的', 'other'],
};
const transportOptions: Option[] = TRANSPORTS.map((t) => ({ value: t, label: { key: `returnees:transport.${t}` }, aliases: TRANSPORT_WORDS[t] }));

export const returneeFlow: FlowDefinition = {
  id: 'returnee',
  version: 1,
  title: { key: 'returnees:title' },
  requiresRegistration: true,
  needs: ['returneeRules'],
  start: () => ({ replies: [{ key: 'returnees:intro' }] }),
  steps: [
    { id: 'from', label: { key: 'returnees:from.label' }, ask: { key: 'returnees:from.ask' }, parse: text({ max: 40, min: 2 }) },
    { id: 'arrival', label: { key: 'returnees:arrival.label' }, ask: { key: 'returnees:arrival.ask' }, parse: arrivalDate() },
    { id: 'transport', label: { key: 'returnees:transport.label' }, ask: { key: 'returnees:transport.ask' }, parse: choice(transportOptions) },
    {
      id: 'confirm',
      ask: (a, ctx) => ({ key: 'returnees:confirm', params: { lines: summaryLines(returneeFlow, a, ctx) } }),
      parse: confirm(),
    },
  ],
  finish(a, ctx) {
    const rules = ctx.facts.returneeRules ?? { riskAreas: [], observationDays: DEFAULT_OBSERVATION_DAYS, remindAt: DEFAULT_REMIND_AT };
    const from = String(a.from);
    const arrival = String(a.arrival);
    const risk = matchRiskArea(from, rules.riskAreas);
    const observation = risk ? observationPeriod(arrival, rules.observationDays, localDate(ctx.now, ctx.timeZone)) : undefined;
    const status: Reply = observation
      ? {
          key: 'returnees:observation',
          params: { area: risk!.name, days: rules.observationDays, end: dayPrompt(observation.endDate), times: rules.remindAt ?? DEFAULT_REMIND_AT },
        }
      : { key: risk ? 'returnees:observation_over' : 'returnees:no_observation', params: { area: risk?.name ?? '' } };
    return {
      effects: [
        {
          type: 'registerReturn',
          from,
          arrivalDate: arrival,
          transport: a.transport as Transport,
          ...(risk ? { riskArea: risk.area } : {}),
          ...(observation ? { observation } : {}),
        },
      ],
      replies: [{ key: 'returnees:saved' }, status, { key: 'returnees:health_next' }],
      followUp: 'health-report',
    };
  },
};
