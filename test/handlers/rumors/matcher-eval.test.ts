import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, metricsTable, QUERY_KINDS } from '../../../handlers/rumors/matcher/evaluate.js';
import { loadEvalQueries, starterIndex } from '../../../scripts/bench/rumors-quality.js';
import { loadStarterFacts } from '../../../scripts/data/fact-checks.js';

const facts = loadStarterFacts();
const queries = loadEvalQueries();

describe('the starter fact base', () => {
  it('has at least 40 valid entries, about half in each language', () => {
    expect(facts.length).toBeGreaterThanOrEqual(40);
    const zh = facts.filter((f) => f.lang === 'zh-CN').length;
    expect(Math.min(zh, facts.length - zh)).toBeGreaterThanOrEqual(facts.length * 0.4);
  });

  it('refuses a file with a bad entry, naming it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facts-')), 'facts.json');
    const good = facts[0]!;
    const cases: [unknown, RegExp][] = [
      [[{ ...good, verdict: 'maybe' }], /entry 0\.verdict/],
      [[{ ...good, source: 'https://example.org' }], /not a URL/],
      [[good, { ...good }], /duplicate key/],
      [[{ ...good, lang: 'en' }], /language only/],
    ];
    for (const [data, error] of cases) {
      fs.writeFileSync(file, JSON.stringify(data));
      expect(() => loadStarterFacts(file)).toThrow(error);
    }
  });
});

describe('the evaluation set', () => {
  it('is labelled as the issue asks', () => {
    const keys = new Set(facts.map((f) => f.key));
    expect(queries.length).toBeGreaterThanOrEqual(150);
    expect(queries.filter((q) => q.expect === null).length).toBeGreaterThanOrEqual(30);
    expect(queries.filter((q) => q.kind === 'near-miss').length).toBeGreaterThanOrEqual(15);
    expect(queries.filter((q) => q.kind === 'cross-language').length).toBeGreaterThanOrEqual(20);
    for (const q of queries) {
      expect(QUERY_KINDS, q.text).toContain(q.kind);
      expect(q.expect === null || keys.has(q.expect), q.text).toBe(true);
      expect(q.expect === null, q.text).toBe(q.kind === 'near-miss' || q.kind === 'unrelated');
    }
    const holdout = queries.filter((q) => q.split === 'holdout');
    expect(holdout.length / queries.length).toBeGreaterThan(0.3);
    for (const kind of QUERY_KINDS)
      expect(
        holdout.some((q) => q.kind === kind),
        kind,
      ).toBe(true);
  });
});

describe('matcher quality on the holdout split (never tuned on)', () => {
  it('meets the targets: precision ≥ 0.90, recall ≥ 0.80, no-match accuracy ≥ 0.85', () => {
    const index = starterIndex();
    const report = evaluate(
      (text, lang) => index.match(text, lang),
      queries.filter((q) => q.split === 'holdout'),
    );
    const { precision, recall, noMatchAccuracy } = report.overall;
    expect({ precision, recall, noMatchAccuracy }, `\n${metricsTable(report)}`).toEqual({
      precision: expect.toSatisfy((x: number) => x >= 0.9),
      recall: expect.toSatisfy((x: number) => x >= 0.8),
      noMatchAccuracy: expect.toSatisfy((x: number) => x >= 0.85),
    });
  });
});
