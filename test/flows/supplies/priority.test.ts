import { describe, expect, it } from 'vitest';
import { STILL_NEEDED_BONUS, supplyPriority, type PriorityInput } from '../../../flows/supplies/priority.js';

const now = new Date('2026-11-28T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const p = (o: Partial<PriorityInput>) => supplyPriority({ urgency: 'three_days', category: 'food', vulnerable: [], createdAt: now, now, ...o });

describe('supply priority (urgency + vulnerability + waiting time)', () => {
  it('weighs urgency most, then medicine/infant, then each vulnerable flag (at most three), then waiting', () => {
    expect(p({})).toBe(20);
    expect(p({ urgency: 'today' })).toBe(50);
    expect(p({ category: 'medicine' })).toBe(30);
    expect(p({ category: 'infant' })).toBe(30);
    expect(p({ vulnerable: ['elderlyAlone'] })).toBe(30);
    expect(p({ vulnerable: ['elderlyAlone', 'chronicIllness', 'disability', 'infant'] })).toBe(50);
    expect(p({ createdAt: hoursAgo(10) })).toBe(30);
  });

  it('a request past its urgency window climbs faster, so nobody waits forever behind newer urgent ones', () => {
    expect(p({ urgency: 'today', createdAt: hoursAgo(24) })).toBe(74);
    expect(p({ urgency: 'today', createdAt: hoursAgo(25) })).toBe(77);
    const old = p({ createdAt: hoursAgo(80) }); // three days + 8 h
    expect(old).toBe(20 + 80 + 16);
    expect(old).toBeGreaterThan(p({ urgency: 'today', vulnerable: ['elderlyAlone', 'infant'], category: 'medicine' }));
  });

  it('a resident’s “still needed” moves an overdue request up by STILL_NEEDED_BONUS', () => {
    const overdue = { urgency: 'today' as const, createdAt: hoursAgo(25) };
    expect(p({ ...overdue, stillNeeded: true })).toBe(p(overdue) + STILL_NEEDED_BONUS);
    expect(p({ ...overdue, stillNeeded: true })).toBeGreaterThan(p({ ...overdue, category: 'medicine', vulnerable: ['elderlyAlone'] }));
  });

  it('orders a mixed list', () => {
    const list = [
      { id: 'food-new', ...{ urgency: 'three_days' as const } },
      { id: 'medicine-today-elderly', urgency: 'today' as const, category: 'medicine' as const, vulnerable: ['elderlyAlone'] },
      { id: 'today', urgency: 'today' as const },
    ];
    const sorted = [...list].sort((a, b) => p(b) - p(a)).map((x) => x.id);
    expect(sorted).toEqual(['medicine-today-elderly', 'today', 'food-new']);
  });
});
