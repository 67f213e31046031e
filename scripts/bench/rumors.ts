/**
 * `npm run bench:rumors [-- --entries 10000 --queries 3000 --seed 1] [--tune] [--freshness [--rounds 40]]`
 *
 * 1. Latency: the starter fact base plus N synthetic entries (rumors-synthetic.ts) go into the
 *    inverted index and into a linear scan that scores every entry with the same scoring; the
 *    same queries, interleaved, are matched by both; p50/p99 and their ratio are printed, and
 *    the two must decide alike for every query.
 * 2. Quality: precision, recall and no-match accuracy per kind of query on the dev and holdout
 *    splits of the evaluation set, with the default thresholds.
 * `--tune` prints instead the dev sweep the default thresholds were chosen from.
 * Pure CPU, no services — except `--freshness` (rumors-freshness.ts), which times how soon a
 * second server process has a released fact-check. Exit 2 with the usage for bad arguments.
 */
import { parseArgs } from 'node:util';
import { LinearScanIndex, type MatchResult, RumorIndex } from '../../handlers/rumors/matcher/index.js';
import { DEFAULT_SCORING, DEFAULT_THRESHOLDS } from '../../handlers/rumors/matcher/index.js';
import { loadStarterFacts, toFactEntry } from '../data/fact-checks.js';
import { loadEvalQueries, qualityTable, tuningReport } from './rumors-quality.js';
import { syntheticEntries, syntheticQueries } from './rumors-synthetic.js';

const USAGE = 'usage: npm run bench:rumors -- [--entries N(100-200000)] [--queries N(100-100000)] [--seed N] [--tune] [--freshness [--rounds N(5-1000)]]';

function options() {
  try {
    const { values } = parseArgs({
      options: {
        entries: { type: 'string', default: '10000' },
        queries: { type: 'string', default: '3000' },
        seed: { type: 'string', default: '1' },
        tune: { type: 'boolean', default: false },
        freshness: { type: 'boolean', default: false },
        rounds: { type: 'string', default: '40' },
      },
      strict: true,
      allowPositionals: false,
    });
    const int = (name: string, raw: string, min: number, max: number) => {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
      return n;
    };
    return {
      entries: int('entries', values.entries, 100, 200_000),
      queries: int('queries', values.queries, 100, 100_000),
      seed: int('seed', values.seed, 0, 2 ** 31),
      tune: values.tune,
      freshness: values.freshness,
      rounds: int('rounds', values.rounds, 5, 1000),
    };
  } catch (err) {
    process.stderr.write(`bench:rumors: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const ms = (x: number) => `${x.toFixed(3)} ms`;
const same = (a: MatchResult, b: MatchResult) => JSON.stringify(a) === JSON.stringify(b);

function latency(opts: { entries: number; queries: number; seed: number }): void {
  const entries = [...loadStarterFacts().map(toFactEntry), ...syntheticEntries(opts.entries, opts.seed)];
  const queries = syntheticQueries(
    opts.queries,
    entries,
    loadEvalQueries().map((q) => q.text),
    opts.seed,
  );
  const index = new RumorIndex();
  const scan = new LinearScanIndex();
  let start = performance.now();
  for (const e of entries) index.upsert(e);
  const buildMs = performance.now() - start;
  for (const e of entries) scan.upsert(e);

  for (const q of queries.slice(0, 200)) index.match(q), scan.match(q); // warm-up: JIT, jieba, caches
  const times = { index: [] as number[], scan: [] as number[] };
  let agree = 0;
  queries.forEach((q, i) => {
    // Alternate which goes first, so neither always meets a warmer cache.
    const order = i % 2 === 0 ? (['index', 'scan'] as const) : (['scan', 'index'] as const);
    const results: Partial<Record<'index' | 'scan', MatchResult>> = {};
    for (const which of order) {
      start = performance.now();
      results[which] = (which === 'index' ? index : scan).match(q);
      times[which].push(performance.now() - start);
    }
    if (same(results.index!, results.scan!)) agree++;
  });
  const row = (name: string, t: number[]) => {
    const s = [...t].sort((a, b) => a - b);
    return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), mean: t.reduce((a, b) => a + b, 0) / t.length, name };
  };
  const [a, b] = [row('index', times.index), row('linear scan', times.scan)];
  const answered = queries.filter((q) => index.match(q).match).length;
  console.log(`rumour matcher — ${entries.length} entries (${opts.entries} synthetic + starter base), ${queries.length} queries, seed ${opts.seed}`);
  console.log(`index build: ${Math.round(buildMs)} ms (${Math.round(entries.length / (buildMs / 1000))} upserts/s); ${answered} of the queries answered`);
  console.log('| matcher | p50 | p99 | mean |\n|---|---|---|---|');
  for (const r of [a, b]) console.log(`| ${r.name} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.mean)} |`);
  console.log(`ratio linear scan / index: p50 ${(b.p50 / a.p50).toFixed(1)}×, p99 ${(b.p99 / a.p99).toFixed(1)}×`);
  console.log(`same decision from both: ${agree} of ${queries.length}`);
  if (agree !== queries.length) process.exitCode = 1;
}

const opts = options();
if (opts.freshness) {
  const { freshnessBench } = await import('./rumors-freshness.js');
  await freshnessBench(opts.rounds);
} else if (opts.tune) {
  console.log(tuningReport());
} else {
  latency(opts);
  console.log(`\nquality on the evaluation set — thresholds ${JSON.stringify(DEFAULT_THRESHOLDS)}, scoring ${JSON.stringify(DEFAULT_SCORING)}`);
  console.log(`\n${qualityTable('dev')}\n\n${qualityTable('holdout')}`);
}
