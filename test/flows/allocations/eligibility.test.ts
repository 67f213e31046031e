/** Who may book a round, at the edges of the vulnerable-first window. */
import { describe, expect, it } from 'vitest';
import { canBook, vulnerableWindowEnds, type EligibilityRound } from '../../../flows/allocations/eligibility.js';

const released = new Date('2026-12-02T01:00:00Z');
const round = (o: Partial<EligibilityRound> = {}): EligibilityRound => ({ status: 'open', communityCode: 'c1', releasedAt: released, eligibility: {}, ...o });
const who = (o = {}) => ({ communityCode: 'c1', buildingCode: 'b1', vulnerable: false, ...o });

describe('canBook', () => {
  it('only open rounds of the resident’s community and, when named, building', () => {
    expect(canBook(round({ status: 'draft' }), who(), released)).toEqual({ ok: false, reason: 'not_open' });
    expect(canBook(round(), who({ communityCode: 'c2' }), released)).toEqual({ ok: false, reason: 'other_community' });
    expect(canBook(round({ eligibility: { buildings: ['b2'] } }), who(), released)).toEqual({ ok: false, reason: 'other_building' });
    expect(canBook(round({ eligibility: { buildings: ['b1', 'b2'] } }), who(), released)).toEqual({ ok: true });
    expect(canBook(round({ eligibility: { buildings: [] } }), who(), released)).toEqual({ ok: true });
  });

  it('vulnerable households alone until the window closes, to the millisecond', () => {
    const r = round({ eligibility: { vulnerableFirstHours: 2 } });
    const ends = vulnerableWindowEnds(r)!;
    expect(ends.toISOString()).toBe('2026-12-02T03:00:00.000Z');
    expect(canBook(r, who(), new Date(ends.getTime() - 1))).toEqual({ ok: false, reason: 'vulnerable_first' });
    expect(canBook(r, who({ vulnerable: true }), new Date(ends.getTime() - 1))).toEqual({ ok: true });
    expect(canBook(r, who(), ends)).toEqual({ ok: true });
    expect(vulnerableWindowEnds(round({ releasedAt: null, eligibility: { vulnerableFirstHours: 2 } }))).toBeUndefined();
  });
});
