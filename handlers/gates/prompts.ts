/**
 * What a gate pass says — to the resident (the pass, or the refusal and its reason) and to the
 * gate keepers' WeCom (a refusal, a pass after hours) — as prompts rendered in the
 * reader's language. Built from a stored record, so a retried message answers the same.
 */
import type { GateRecord, VisitorInfo } from '../../models/gate.js';
import { maskMobile } from '../../flows/engine/phone.js';
import { dayPrompt, localTime, shiftDate } from '../../flows/engine/time.js';
import type { Prompt } from '../../flows/engine/types.js';
import type { GateRules, RefusalReason } from '../../flows/gates/rules.js';

const direction = (d: 'out' | 'in'): Prompt => ({ key: `gates:direction.${d}` });

/**
 * Why a pass was refused, with what the reader needs (until when, the hours, the next period):
 * the resident gets advice (`gates:reason.*`), the gate keeper the bare fact (`gates:keeper_reason.*`).
 */
export function reasonPrompt(
  reason: RefusalReason,
  rules: GateRules,
  o: { observationEnd?: string; periodStart?: string } = {},
  reader: 'resident' | 'keeper' = 'resident',
): Prompt {
  const key = (k: string) => `gates:${reader === 'resident' ? 'reason' : 'keeper_reason'}.${k}`;
  switch (reason) {
    case 'observation':
      return { key: key('observation'), params: { until: o.observationEnd ? dayPrompt(o.observationEnd) : '' } };
    case 'gate_closed':
      return { key: key('gate_closed'), params: { open: rules.hours?.open ?? '', close: rules.hours?.close ?? '' } };
    case 'no_visitors':
      return { key: key('no_visitors') };
    case 'quota': {
      const q = rules.outings!;
      if (q.perDays <= 1) return { key: key('quota_day'), params: { max: q.max } };
      const next = o.periodStart ? dayPrompt(shiftDate(o.periodStart, q.perDays)) : '';
      return { key: key('quota_period'), params: { max: q.max, days: q.perDays, next } };
    }
  }
}

/** The pass (or the refusal) a record stands for, as the resident reads it. */
export function passPrompt(r: GateRecord & { reasonPrompt?: Prompt }, timeZone: string): Prompt {
  if (r.status === 'refused') return { key: 'gates:refused', params: { reason: r.reasonPrompt ?? '' } };
  const o = r.outing;
  const note: Prompt | string = r.afterHours
    ? { key: 'gates:note.after_hours' }
    : o
      ? { key: o.perDays <= 1 ? 'gates:note.outings_day' : 'gates:note.outings_period', params: { used: o.n, max: o.max, days: o.perDays } }
      : '';
  return {
    key: r.visitor ? 'gates:pass_visitor' : 'gates:pass',
    params: {
      direction: direction(r.direction),
      code: r.passCode,
      gate: r.gateName,
      day: dayPrompt(r.date),
      time: localTime(r.at, timeZone),
      ...(r.visitor ? { host: r.visitor.host } : {}),
      note,
    },
  };
}

/** "You already passed": the same direction twice in a day shows the earlier pass. */
export function againPrompt(p: { gateName: string; passCode: string; at: Date; state: 'out' | 'in' }, timeZone: string): Prompt {
  return { key: 'gates:again', params: { direction: direction(p.state), gate: p.gateName, code: p.passCode, time: localTime(p.at, timeZone) } };
}

/** Who asked, for the gate keepers: a resident by building and room, a visitor by name, masked mobile and host. */
export function whoPrompt(visitor: VisitorInfo | null | undefined, home: { building?: string; unit?: string; room?: string }): Prompt {
  if (visitor) return { key: 'gates:who.visitor', params: { name: visitor.name, mobile: maskMobile(visitor.mobile) ?? '', host: visitor.host } };
  const room = home.unit ? `${home.unit}-${home.room ?? ''}` : (home.room ?? '');
  return { key: 'gates:who.resident', params: { building: home.building ?? '', room } };
}

/** The gate keepers' WeCom message about a record: a refusal (with the keeper's reason), or a pass after hours (a resident coming in, a visitor leaving). */
export function keeperPrompt(r: GateRecord, who: Prompt, timeZone: string, reason?: Prompt): Prompt {
  const time = `${r.date.slice(5)} ${localTime(r.at, timeZone)}`;
  if (r.status === 'refused')
    return { key: 'gates:alert_wecom', params: { gate: r.gateName, time, who, direction: direction(r.direction), reason: reason ?? '' } };
  const key = r.direction === 'in' ? 'gates:alert_after_hours_wecom' : 'gates:alert_after_hours_out_wecom';
  return { key, params: { gate: r.gateName, time, who, code: r.passCode } };
}
