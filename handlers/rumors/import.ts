/**
 * The trusted bulk import (`npm run import:fact-checks -- FILE.json`): fact-checks from a source
 * the committee already trusts (the starter base, a health authority's list) are stored released
 * at once, each with ONE audit entry — action `import`, naming the file and the operator — instead
 * of the three-level audit. Bad entries are reported by index and the good ones kept. Ids derive
 * from the entry's `key` (or language and claim), so importing the same file again changes nothing.
 */
import type { FactCheck, FactCheckContent, PublishedFactCheck } from '../../models/fact-check.js';
import { derivedId } from '../../models/ids.js';
import { AppError, invalid } from '../errors.js';
import { canonicalJson, plainJson } from '../audit/canonical.js';
import { isDuplicateKey } from '../audit/chain.js';
import { fieldDiff } from '../audit/diff.js';
import { createSubject, loadSubject, type AuditActor, type AuditDeps } from '../audit/workflow.js';
import { contentOf, FACT_CHECK_CONTENT, factCheckTarget } from './deps.js';
import type { FactBase } from './ports.js';
import { ImportEntry } from './schemas.js';
import { parseInput } from '../input.js';

export interface ImportProblem {
  /** 0-based position in the file's array. */
  index: number;
  field: string;
  reason: string;
}

export interface ImportReport {
  /** Ids of the fact-checks stored by this run. */
  imported: string[];
  /** Entries already stored with the same content (an earlier run of the same file). */
  unchanged: number;
  problems: ImportProblem[];
}

export interface ImportOptions {
  /** Who ran it (recorded in the entry). */
  operator: string;
  /** What was imported, e.g. the file's name (recorded in the entry). */
  source: string;
}

/** The id an entry is stored under: from its key, or its language and claim. */
export const importedIdFor = (e: Pick<ImportEntry, 'key' | 'lang' | 'claim'>) => derivedId('fact-check', e.key ? `key:${e.key}` : `${e.lang}\u0000${e.claim}`);

const sameContent = (f: FactCheck, c: FactCheckContent) =>
  canonicalJson(plainJson(c)) === canonicalJson(plainJson(Object.fromEntries(FACT_CHECK_CONTENT.map((k) => [k, f[k] ?? (k === 'aliases' ? [] : '')]))));

export async function importFactChecks(deps: AuditDeps & { facts?: FactBase }, entries: unknown, o: ImportOptions): Promise<ImportReport> {
  if (!Array.isArray(entries)) throw invalid('the file must hold a JSON array of fact-checks: [{lang, claim, verdict, explanation, source?}]');
  const operator: AuditActor = { id: `operator:${o.operator}`, name: o.operator, role: 'operator', duties: [] };
  const target = factCheckTarget(deps.models);
  const report: ImportReport = { imported: [], unchanged: 0, problems: [] };
  const seen = new Map<string, number>();
  for (const [index, raw] of entries.entries()) {
    let e: ImportEntry;
    try {
      e = parseInput(ImportEntry, raw);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const d = (err.details ?? {}) as { field?: string; reason?: string };
      report.problems.push({ index, field: d.field ?? '', reason: d.reason ?? err.message });
      continue;
    }
    const _id = importedIdFor(e);
    const id = String(_id);
    if (seen.has(id)) {
      report.problems.push({ index, field: e.key ? 'key' : 'claim', reason: `repeats entry ${seen.get(id)}` });
      continue;
    }
    seen.set(id, index);
    const content = contentOf(e);
    const stored = async () => {
      const f = await loadSubject<FactCheck>(deps.models, target, id);
      if (f.origin === 'import' && f.status === 'released' && sameContent(f, content)) report.unchanged++;
      else
        report.problems.push({
          index,
          field: e.key ? 'key' : 'claim',
          reason: `fact-check ${id} already exists with other content or state; change it through the audit (correct)`,
        });
    };
    if (await deps.models.FactCheck.exists({ _id })) {
      await stored();
      continue;
    }
    const published: PublishedFactCheck = { ...content, version: 1 };
    try {
      await createSubject<FactCheck>(
        deps,
        target,
        operator,
        { _id, ...content, published, origin: 'import', notifiedVersion: 1, releasedAt: deps.clock.now() },
        {
          action: 'import',
          status: 'released',
          diff: fieldDiff({}, { ...content, published }, [...FACT_CHECK_CONTENT, 'published']),
          comment: `trusted import of ${o.source} by ${o.operator}`,
          meta: { import: o.source, operator: o.operator, index, ...(e.key ? { key: e.key } : {}) },
        },
      );
      report.imported.push(id);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await stored(); // a concurrent run of the same import stored it first
    }
  }
  if (report.imported.length) await deps.facts?.announce({ kind: 'all' });
  return report;
}
