/** Arrival days as people type them, and which risk area a free-text "where from" names. */
import { describe, expect, it } from 'vitest';
import { readDay } from '../../../flows/returnees/arrival-date.js';
import { matchRiskArea, observationPeriod } from '../../../flows/returnees/risk-areas.js';

const TODAY = '2026-11-28';

describe('readDay', () => {
  it.each([
    ['今天', '2026-11-28'],
    ['昨天', '2026-11-27'],
    ['前天', '2026-11-26'],
    ['3天前', '2026-11-25'],
    ['三天前', '2026-11-25'],
    ['11月27日', '2026-11-27'],
    ['11月27号', '2026-11-27'],
    ['１１－２７', '2026-11-27'], // full-width digits and dash fold
    ['11-27', '2026-11-27'],
    ['11/27', '2026-11-27'],
    ['27号', '2026-11-27'],
    ['2026-11-20', '2026-11-20'],
    ['2026年11月20日', '2026-11-20'],
    ['12月5日', '2025-12-05'], // a later day of the year is last year's
    ['Today', '2026-11-28'],
    ['yesterday', '2026-11-27'],
    ['3 days ago', '2026-11-25'],
    ['Nov 26', '2026-11-26'],
    ['26 November', '2026-11-26'],
    ['26th Nov', '2026-11-26'],
    ['2026-02-30', undefined],
    ['明天', undefined],
    ['next week', undefined],
    ['Foo 26', undefined],
  ])('%j → %s', (text, day) => expect(readDay(text, TODAY)).toBe(day));

  it('a day of the month still to come this month is last month’s', () => {
    expect(readDay('30号', TODAY)).toBe('2026-10-30');
  });
});

describe('matchRiskArea', () => {
  const AREAS = ['吉林省长春市', '上海市浦东新区', '北京/Beijing'];
  it.each([
    ['从长春回来', '吉林省长春市', '吉林省长春市'],
    ['吉林长春', '吉林省长春市', '吉林省长春市'],
    ['上海浦东', '上海市浦东新区', '上海市浦东新区'],
    ['浦东新区张江', '上海市浦东新区', '上海市浦东新区'],
    ['beijing, chaoyang', '北京/Beijing', 'Beijing'],
    ['北京市', '北京/Beijing', '北京'],
  ])('%j → %s', (from, area, name) => expect(matchRiskArea(from, AREAS)).toEqual({ area, name }));

  it.each(['上海徐汇', '吉林', '湖北武汉', '', '  '])('%j matches nothing', (from) => expect(matchRiskArea(from, AREAS)).toBeUndefined());
});

describe('observationPeriod', () => {
  it('counts the arrival day as day 1 and is over once its last day has passed', () => {
    expect(observationPeriod('2026-11-27', 7, TODAY)).toEqual({ startDate: '2026-11-27', endDate: '2026-12-03' });
    expect(observationPeriod('2026-11-22', 7, TODAY)).toEqual({ startDate: '2026-11-22', endDate: '2026-11-28' }); // its last day is today
    expect(observationPeriod('2026-11-21', 7, TODAY)).toBeUndefined();
  });
});
