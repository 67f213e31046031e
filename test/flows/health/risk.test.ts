import { describe, expect, it } from 'vitest';
import { assessRisk, SYMPTOMS, type HealthAnswers } from '../../../flows/health/risk.js';
import { looksAutomated, type SentReport } from '../../../flows/health/automation.js';

const base: HealthAnswers = { temperatureC: 36.5, symptoms: [], test: 'negative', contact: false };
const level = (a: Partial<HealthAnswers>) => assessRisk({ ...base, ...a }).level;

describe('risk rule (product.md): a table at every boundary', () => {
  it.each([
    [36.5, 'green'],
    [37.2, 'green'],
    [37.3, 'yellow'],
    [38.4, 'yellow'],
    [38.5, 'red'],
    [40.1, 'red'],
    // Floating point: 37.3 typed as 37.29999 after a Fahrenheit conversion rounds to one decimal first.
    [(99.14 - 32) * (5 / 9), 'yellow'],
  ])('%s °C → %s', (temperatureC, expected) => {
    expect(level({ temperatureC: Math.round(temperatureC * 10) / 10 })).toBe(expected);
  });

  it.each(SYMPTOMS.map((s) => [s, s === 'shortness_of_breath' ? 'red' : 'yellow'] as const))('symptom %s → %s', (symptom, expected) => {
    expect(level({ symptoms: [symptom] })).toBe(expected);
  });

  it.each([
    ['negative', 'green'],
    ['not_tested', 'green'],
    ['positive', 'red'],
    ['antigen_positive', 'red'],
  ] as const)('test %s → %s', (test, expected) => {
    expect(level({ test })).toBe(expected);
  });

  it('contact or travel → yellow; reasons list everything that applies, most serious first', () => {
    expect(level({ contact: true })).toBe('yellow');
    expect(assessRisk({ temperatureC: 38.5, symptoms: ['cough', 'shortness_of_breath'], test: 'antigen_positive', contact: true })).toEqual({
      level: 'red',
      reasons: ['antigen_positive', 'shortness_of_breath', 'high_fever', 'symptoms', 'contact'],
    });
    expect(assessRisk(base)).toEqual({ level: 'green', reasons: [] });
  });
});

describe('scripted check-ins', () => {
  const day = (date: string, secondOfDay: number, a: Partial<HealthAnswers> = {}): SentReport => ({ date, secondOfDay, answers: { ...base, ...a } });
  const run = (seconds: number[], answers: Partial<HealthAnswers>[] = []) =>
    seconds.map((s, i) => day(`2026-11-${String(28 - i).padStart(2, '0')}`, s, answers[i] ?? {}));

  it('four days of identical answers within a minute of the same time of day are flagged', () => {
    expect(looksAutomated(run([28800, 28830, 28810, 28859]))).toBe(true);
  });
  it('a person reporting at about the same time, or with a different temperature, or with a gap, is not', () => {
    expect(looksAutomated(run([28800, 28830, 28810, 28861]))).toBe(false); // 61 s apart
    expect(looksAutomated(run([28800, 28800, 28800, 28800], [{}, { temperatureC: 36.6 }]))).toBe(false);
    expect(looksAutomated(run([28800, 28800, 28800]))).toBe(false); // only three days
    const gap = run([28800, 28800, 28800, 28800]);
    gap[3] = { ...gap[3]!, date: '2026-11-24' };
    expect(looksAutomated(gap)).toBe(false);
  });
});
