import type { Model } from 'mongoose';
import type { Models } from '../../models/index.js';
import type { AuditEntry, AuditedSubject } from '../../models/audit-entry.js';
import { GENESIS_HASH, hashEntry } from './canonical.js';

export interface ChainProblem {
  subjectType: string;
  subjectId: string;
  /** The first entry that does not check out (null: the subject has no entries at all). */
  seq: number | null;
  entryId: string | null;
  reason: string;
}

export interface ChainReport {
  chains: number;
  entries: number;
  /** The first problem of each broken chain, in chain order. */
  problems: ChainProblem[];
}

/**
 * Walk every chain (entries sorted by subject, then seq) and check each entry: its hash matches
 * its content, its prevHash matches the previous entry's hash (64 zeros for seq 1), and seq runs
 * 1, 2, 3… without gaps. Only the first problem of a chain is reported (everything after it is
 * suspect anyway). Then, for subject types whose collection is known, the tail: a subject whose
 * version is past its chain's last entry lost entries at the end (deleted ones leave no hash
 * mismatch behind, so this is how truncation shows).
 */
export async function verifyAuditChains(
  models: Models,
  subjects: Record<string, Model<any>> = { notice: models.Notice, fact_check: models.FactCheck },
): Promise<ChainReport> {
  const report: ChainReport = { chains: 0, entries: 0, problems: [] };
  const lastVersion = new Map<string, number>();
  let prev: AuditEntry | null = null;
  let broken = false;
  const cursor = models.AuditEntry.find().sort({ subjectType: 1, subjectId: 1, seq: 1 }).lean<AuditEntry[]>().cursor();
  for await (const doc of cursor) {
    const e = doc as unknown as AuditEntry;
    report.entries++;
    const same = prev !== null && prev.subjectType === e.subjectType && prev.subjectId === e.subjectId;
    if (!same) {
      report.chains++;
      broken = false;
      prev = null;
    }
    lastVersion.set(`${e.subjectType}/${e.subjectId}`, e.version);
    if (broken) continue;
    const problem = (reason: string) => {
      report.problems.push({ subjectType: e.subjectType, subjectId: e.subjectId, seq: e.seq, entryId: String(e._id), reason });
      broken = true;
    };
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (e.seq !== expectedSeq) problem(prev ? `seq ${e.seq} follows seq ${prev.seq} (entries missing)` : `the chain starts at seq ${e.seq} (entries missing)`);
    else if (e.prevHash !== (prev ? prev.hash : GENESIS_HASH))
      problem(prev ? `prevHash does not match the hash of seq ${prev.seq}` : 'prevHash of the first entry is not the genesis hash');
    else if (hashEntry(e) !== e.hash) problem('hash does not match the entry content (changed after it was written)');
    prev = e;
  }
  for (const [subjectType, model] of Object.entries(subjects)) {
    const docs = await model.find({}, { version: 1, createEntry: 1 }).lean<Pick<AuditedSubject, '_id' | 'version' | 'createEntry'>[]>();
    for (const d of docs) {
      const subjectId = String(d._id);
      const last = lastVersion.get(`${subjectType}/${subjectId}`);
      // A document may lag its chain (replayed on the next read) but never lead it; a brand-new
      // subject whose create entry is still being appended has version 1 and `createEntry`.
      const covered = last ?? (d.createEntry ? 1 : 0);
      if (covered >= d.version || report.problems.some((p) => p.subjectType === subjectType && p.subjectId === subjectId)) continue;
      const tail = last === undefined ? null : await models.AuditEntry.findOne({ subjectType, subjectId }).sort({ seq: -1 }).lean<AuditEntry>();
      report.problems.push({
        subjectType,
        subjectId,
        seq: tail?.seq ?? null,
        entryId: tail ? String(tail._id) : null,
        reason:
          last === undefined
            ? `the ${subjectType} (version ${d.version}) has no audit entries`
            : `the chain ends at version ${last} but the ${subjectType} is at version ${d.version} (entries missing at the end)`,
      });
    }
  }
  return report;
}

/** One line naming a problem: `notice/<id> seq 3 (entry <id>): <reason>`. */
export function describeProblem(p: ChainProblem): string {
  return `${p.subjectType}/${p.subjectId} seq ${p.seq ?? '-'} (entry ${p.entryId ?? '-'}): ${p.reason}`;
}
