import type { FactLang, MatchResult } from './types.js';

export const QUERY_KINDS = ['paraphrase', 'typo', 'traditional', 'fullwidth', 'emoji', 'forwarded', 'cross-language', 'near-miss', 'unrelated'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** One labelled query of the evaluation set: the fact-check it asks about, or null for none. */
export interface EvalQuery {
  text: string;
  lang: FactLang;
  expect: string | null;
  kind: QueryKind;
  split: 'dev' | 'holdout';
}

export interface Metrics {
  queries: number;
  /** Of answered queries, the share answered with the expected entry (null: none answered). */
  precision: number | null;
  /** Of queries expecting an entry, the share answered with it. */
  recall: number | null;
  /** Of queries expecting none, the share left unanswered. */
  noMatchAccuracy: number | null;
  /** Of queries expecting an entry, the share where it was answered or offered as a candidate. */
  offered: number | null;
}

export interface Outcome {
  query: EvalQuery;
  result: MatchResult;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** Precision, recall, no-match accuracy and the offered rate over a set of outcomes. */
export function metrics(outcomes: readonly Outcome[]): Metrics {
  const answered = outcomes.filter((o) => o.result.match);
  const expecting = outcomes.filter((o) => o.query.expect !== null);
  const none = outcomes.filter((o) => o.query.expect === null);
  const right = (o: Outcome) => o.result.match?.id === o.query.expect;
  return {
    queries: outcomes.length,
    precision: share(answered.filter(right).length, answered.length),
    recall: share(expecting.filter(right).length, expecting.length),
    noMatchAccuracy: share(none.filter((o) => !o.result.match).length, none.length),
    offered: share(expecting.filter((o) => right(o) || o.result.candidates.some((c) => c.id === o.query.expect)).length, expecting.length),
  };
}

/** Run every query through `match` and measure the whole set and each kind of query. */
export function evaluate(match: (text: string, lang: FactLang) => MatchResult, queries: readonly EvalQuery[]) {
  const outcomes = queries.map((query) => ({ query, result: match(query.text, query.lang) }));
  const byKind = Object.fromEntries(
    QUERY_KINDS.filter((k) => outcomes.some((o) => o.query.kind === k)).map((k) => [k, metrics(outcomes.filter((o) => o.query.kind === k))]),
  ) as Partial<Record<QueryKind, Metrics>>;
  return { overall: metrics(outcomes), byKind, outcomes };
}

/**
 * The figures as a Markdown table, one row per kind and a total (— where a figure does not
 * apply; a kind whose queries expect no entry shows no precision, its no-match accuracy says it).
 */
export function metricsTable(report: ReturnType<typeof evaluate>): string {
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  const row = (name: string, m: Metrics) =>
    `| ${name} | ${m.queries} | ${f(m.recall === null ? null : m.precision)} | ${f(m.recall)} | ${f(m.noMatchAccuracy)} | ${f(m.offered)} |`;
  return [
    '| kind | queries | precision | recall | no-match accuracy | offered |',
    '|---|---|---|---|---|---|',
    ...Object.entries(report.byKind).map(([k, m]) => row(k, m!)),
    row('**all**', report.overall),
  ].join('\n');
}
