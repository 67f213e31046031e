/**
 * Closed-management rules of a community's gates (issue #10): outings per household per period,
 * the hours the gates are open, residents under home observation stay in, visitors allowed or
 * not. Pure, so every boundary is tested; the gate pass effect loads what they need (the time
 * in the community's zone, the observation) and claims the outing quota atomically afterwards.
 */
import { daysBetween, shiftDate } from '../engine/time.js';

export const GATE_DIRECTIONS = ['out', 'in'] as const;
export type GateDirection = (typeof GATE_DIRECTIONS)[number];

export interface GateRules {
  /** Closed management is in force: the rules below apply. Off, every pass is granted (and logged) except going out under observation. */
  closed: boolean;
  /** At most `max` outings (out passes) per household in each period of `perDays` local days counted from `from`; null: no limit. */
  outings: { max: number; perDays: number; from: string } | null;
  /** Local opening hours `HH:mm` (close before open = open overnight); null: open round the clock. */
  hours: { open: string; close: string } | null;
  /** Residents under home observation may not go out (closed management or not). */
  observationStaysIn: boolean;
  /** Visitors may come in. */
  visitors: boolean;
}

/** A community that set no rules: only going out under home observation is refused; every pass is logged. */
export const OPEN_GATE_RULES: GateRules = { closed: false, outings: null, hours: null, observationStaysIn: true, visitors: true };

export const REFUSAL_REASONS = ['observation', 'gate_closed', 'no_visitors', 'quota'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface PassRequest {
  direction: GateDirection;
  visitor: boolean;
  /** Local `HH:mm` at the gate. */
  time: string;
  underObservation: boolean;
}

export type PassCheck =
  /** `claimOuting`: the household's quota must still be claimed; `afterHours`: let through while the gate is closed — a resident coming in, a visitor leaving (the keeper is told). */
  { ok: true; claimOuting: boolean; afterHours: boolean } | { ok: false; reason: RefusalReason };

/** Is `time` inside the opening hours? `open === close` means round the clock. */
export function withinHours(time: string, hours: GateRules['hours']): boolean {
  if (!hours || hours.open === hours.close) return true;
  return hours.open < hours.close ? time >= hours.open && time < hours.close : time >= hours.open || time < hours.close;
}

/** The first local day of the quota period `date` falls in. */
export function periodStart(date: string, perDays: number, from: string): string {
  if (perDays <= 1) return date;
  return shiftDate(from, Math.floor(daysBetween(from, date) / perDays) * perDays);
}

/**
 * The rules a pass breaks, most lasting reason first (someone under observation is not told to
 * come back when the gate opens). Home observation holds whether or not closed management is on
 * (the returnee was told to stay in); otherwise nothing is refused outside closed management.
 * Anyone leaving or coming home outside the opening hours — a resident coming in, a visitor going
 * out — is let through, and the gate keeper is alerted instead (`afterHours`).
 */
export function checkPass(rules: GateRules, req: PassRequest): PassCheck {
  if (!req.visitor && req.direction === 'out' && req.underObservation && rules.observationStaysIn) return { ok: false, reason: 'observation' };
  if (!rules.closed) return { ok: true, claimOuting: false, afterHours: false };
  const open = withinHours(req.time, rules.hours);
  if (req.visitor) {
    if (req.direction === 'out') return { ok: true, claimOuting: false, afterHours: !open };
    if (!rules.visitors) return { ok: false, reason: 'no_visitors' };
    return open ? { ok: true, claimOuting: false, afterHours: false } : { ok: false, reason: 'gate_closed' };
  }
  if (req.direction === 'in') return { ok: true, claimOuting: false, afterHours: !open };
  if (!open) return { ok: false, reason: 'gate_closed' };
  return { ok: true, claimOuting: !!rules.outings, afterHours: false };
}
