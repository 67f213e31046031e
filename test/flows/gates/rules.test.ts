/** The gate rules at every boundary: hours (also overnight), observation (closed management or not), visitors, the outing quota's periods. */
import { describe, expect, it } from 'vitest';
import { checkPass, OPEN_GATE_RULES, periodStart, withinHours, type GateRules } from '../../../flows/gates/rules.js';

const CLOSED: GateRules = {
  closed: true,
  outings: { max: 1, perDays: 1, from: '2026-12-01' },
  hours: { open: '06:00', close: '22:00' },
  observationStaysIn: true,
  visitors: true,
};
const req = (o: Partial<Parameters<typeof checkPass>[1]> = {}) => ({ direction: 'out' as const, visitor: false, time: '09:00', underObservation: false, ...o });

describe('withinHours', () => {
  it.each([
    ['05:59', false],
    ['06:00', true],
    ['21:59', true],
    ['22:00', false],
    ['23:30', false],
  ])('06:00–22:00 at %s → %s', (t, open) => expect(withinHours(t, { open: '06:00', close: '22:00' })).toBe(open));

  it.each([
    ['21:59', false],
    ['22:00', true],
    ['02:00', true],
    ['05:59', true],
    ['06:00', false],
  ])('overnight 22:00–06:00 at %s → %s', (t, open) => expect(withinHours(t, { open: '22:00', close: '06:00' })).toBe(open));

  it('is always open without hours, or when open equals close', () => {
    expect(withinHours('03:00', null)).toBe(true);
    expect(withinHours('03:00', { open: '00:00', close: '00:00' })).toBe(true);
  });
});

describe('periodStart', () => {
  it.each([
    ['2026-12-01', '2026-12-01'],
    ['2026-12-03', '2026-12-01'],
    ['2026-12-04', '2026-12-04'],
    ['2026-11-30', '2026-11-28'], // before the anchor: periods run backwards too
  ])('three-day periods from 12-01: %s → %s', (date, start) => expect(periodStart(date, 3, '2026-12-01')).toBe(start));

  it('a one-day period is the day itself', () => expect(periodStart('2026-12-09', 1, '2026-12-01')).toBe('2026-12-09'));
});

describe('checkPass', () => {
  it('outside closed management nothing is refused and no outing is counted, but for going out under observation', () => {
    expect(checkPass(OPEN_GATE_RULES, req({ time: '03:00' }))).toEqual({ ok: true, claimOuting: false, afterHours: false });
    expect(checkPass({ ...CLOSED, closed: false, visitors: false }, req({ visitor: true, direction: 'in', time: '03:00' }))).toMatchObject({ ok: true });
    expect(checkPass({ ...CLOSED, closed: false }, req({ visitor: true, direction: 'out', time: '03:00' }))).toMatchObject({ afterHours: false });
  });

  it('home observation holds without closed management: going out is refused, coming home is not', () => {
    expect(checkPass(OPEN_GATE_RULES, req({ underObservation: true }))).toEqual({ ok: false, reason: 'observation' });
    expect(checkPass(OPEN_GATE_RULES, req({ underObservation: true, direction: 'in' }))).toMatchObject({ ok: true });
    expect(checkPass({ ...OPEN_GATE_RULES, observationStaysIn: false }, req({ underObservation: true }))).toMatchObject({ ok: true });
  });

  it('a resident going out: observation first, then the hours, then the quota is to be claimed', () => {
    expect(checkPass(CLOSED, req({ underObservation: true, time: '23:00' }))).toEqual({ ok: false, reason: 'observation' });
    expect(checkPass({ ...CLOSED, observationStaysIn: false }, req({ underObservation: true }))).toMatchObject({ ok: true, claimOuting: true });
    expect(checkPass(CLOSED, req({ time: '22:00' }))).toEqual({ ok: false, reason: 'gate_closed' });
    expect(checkPass(CLOSED, req({ time: '21:59' }))).toEqual({ ok: true, claimOuting: true, afterHours: false });
    expect(checkPass({ ...CLOSED, outings: null }, req())).toEqual({ ok: true, claimOuting: false, afterHours: false });
  });

  it('a resident coming home is never refused; after hours the keeper is told', () => {
    expect(checkPass(CLOSED, req({ direction: 'in', time: '23:00', underObservation: true }))).toEqual({ ok: true, claimOuting: false, afterHours: true });
    expect(checkPass(CLOSED, req({ direction: 'in', time: '12:00' }))).toEqual({ ok: true, claimOuting: false, afterHours: false });
  });

  it('visitors: paused, or only in opening hours; leaving is always allowed', () => {
    expect(checkPass({ ...CLOSED, visitors: false }, req({ visitor: true, direction: 'in' }))).toEqual({ ok: false, reason: 'no_visitors' });
    expect(checkPass(CLOSED, req({ visitor: true, direction: 'in', time: '05:00' }))).toEqual({ ok: false, reason: 'gate_closed' });
    expect(checkPass(CLOSED, req({ visitor: true, direction: 'in' }))).toEqual({ ok: true, claimOuting: false, afterHours: false });
    expect(checkPass({ ...CLOSED, visitors: false }, req({ visitor: true, direction: 'out', time: '12:00' }))).toEqual({
      ok: true,
      claimOuting: false,
      afterHours: false,
    });
  });

  it('a visitor leaving after hours is let out, marked after hours so the keeper is told', () => {
    expect(checkPass({ ...CLOSED, visitors: false }, req({ visitor: true, direction: 'out', time: '05:00' }))).toEqual({
      ok: true,
      claimOuting: false,
      afterHours: true,
    });
    expect(checkPass(CLOSED, req({ visitor: true, direction: 'out', time: '22:00' }))).toEqual({ ok: true, claimOuting: false, afterHours: true });
  });
});
