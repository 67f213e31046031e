/**
 * The rumour matcher's quality on its labelled evaluation set, and the sweep the default
 * thresholds were chosen from (dev split only: the holdout is for the final figures).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type EvalQuery, evaluate, metrics, metricsTable, QUERY_KINDS } from '../../handlers/rumors/matcher/evaluate.js';
import { decide, DEFAULT_SCORING, RumorIndex, type ScoringParams } from '../../handlers/rumors/matcher/index.js';
import { loadStarterFacts, toFactEntry } from '../data/fact-checks.js';
import { PROJECT_ROOT } from '../services/ferretdb.js';

export const EVAL_QUERIES_FILE = path.join(PROJECT_ROOT, 'test/handlers/rumors/eval/queries.json');

const EvalQuerySchema = z.object({
  text: z.string(),
  lang: z.enum(['zh-CN', 'en']),
  expect: z.string().nullable(),
  kind: z.enum(QUERY_KINDS),
  split: z.enum(['dev', 'holdout']),
});

export function loadEvalQueries(file = EVAL_QUERIES_FILE): EvalQuery[] {
  return z.array(EvalQuerySchema).parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** An index of the starter fact base. */
export function starterIndex(scoring?: Partial<ScoringParams>): RumorIndex {
  const index = new RumorIndex({ scoring });
  for (const f of loadStarterFacts()) index.upsert(toFactEntry(f));
  return index;
}

/** Per-kind figures of the default matcher on one split, as a Markdown table. */
export function qualityTable(split: EvalQuery['split']): string {
  const index = starterIndex();
  const queries = loadEvalQueries().filter((q) => q.split === split);
  return `${split} (${queries.length} queries)\n${metricsTable(evaluate((t, l) => index.match(t, l), queries))}`;
}

const f2 = (x: number | null) => (x === null ? '—' : x.toFixed(3));

/**
 * What `--tune` prints: for a grid of scoring parameters the best answer threshold on dev
 * (recall, with precision ≥ 0.95 and no-match ≥ 0.93), then, for the default scoring, the
 * precision/recall/no-match curve over `answer` and the offered/noise curve over `suggest`.
 */
export function tuningReport(): string {
  const dev = loadEvalQueries().filter((q) => q.split === 'dev');
  const lines: string[] = ['scoring grid on dev (best answer threshold per row; margin 0.05):', 'entryWeight unknownWeight idfPower | answer  P     R     N'];
  const curve = (scoring: ScoringParams) => {
    const index = starterIndex(scoring);
    const ranked = dev.map((q) => index.rank(q.text, { floor: 0.05, limit: 5, lang: q.lang }));
    return (answer: number, suggest: number) => dev.map((q, i) => ({ query: q, result: decide(ranked[i]!, { answer, suggest, margin: 0.05 }) }));
  };
  const steps = (from: number, to: number, by: number) => Array.from({ length: Math.round((to - from) / by) + 1 }, (_, i) => +(from + i * by).toFixed(3));
  for (const entryWeight of [0.3, 0.5, 0.7]) {
    for (const unknownWeight of [0.25, 0.75]) {
      for (const idfPower of [0.3, 0.5, 1]) {
        const at = curve({ entryWeight, unknownWeight, idfPower });
        const ok = steps(0.4, 0.8, 0.025)
          .map((a) => ({ a, m: metrics(at(a, 0.05)) }))
          .filter(({ m }) => m.precision! >= 0.95 && m.noMatchAccuracy! >= 0.93)
          .sort((x, y) => y.m.recall! - x.m.recall!)[0];
        const cells = ok ? `${ok.a.toFixed(3)}  ${f2(ok.m.precision)} ${f2(ok.m.recall)} ${f2(ok.m.noMatchAccuracy)}` : 'none meets P ≥ 0.95, N ≥ 0.93';
        lines.push(`${String(entryWeight).padEnd(11)} ${String(unknownWeight).padEnd(13)} ${String(idfPower).padEnd(8)} | ${cells}`);
      }
    }
  }
  const at = curve(DEFAULT_SCORING);
  lines.push('', `default scoring ${JSON.stringify(DEFAULT_SCORING)}, answer threshold on dev:`, 'answer  P     R     N');
  for (const a of steps(0.4, 0.75, 0.025)) {
    const m = metrics(at(a, 0.05));
    lines.push(`${a.toFixed(3)}   ${f2(m.precision)} ${f2(m.recall)} ${f2(m.noMatchAccuracy)}`);
  }
  lines.push(
    '',
    'suggest threshold on dev (answer 0.6): offered = expected entry answered or among the candidates',
    'suggest offered  no-match queries shown candidates',
  );
  for (const s of steps(0.2, 0.55, 0.05)) {
    const outcomes = at(0.6, s);
    const noisy = outcomes.filter((o) => o.query.expect === null && o.result.candidates.length > 0).length;
    lines.push(`${s.toFixed(2)}    ${f2(metrics(outcomes).offered)}    ${noisy} of ${outcomes.filter((o) => o.query.expect === null).length}`);
  }
  return lines.join('\n');
}
