import type { AuditDiff, FieldChange } from '../../models/audit-entry.js';
import { canonicalJson, plainJson } from './canonical.js';

/** Above this many line pairs the line diff falls back to "all removed, all added". */
const MAX_LCS_CELLS = 250_000;

/**
 * The fields of `after` that differ from `before`, as `field → {from, to}` (plain JSON). Text
 * fields spanning several lines also get `lines`, a readable line diff. `undefined` when nothing
 * changed.
 */
export function fieldDiff(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): AuditDiff | undefined {
  const diff: AuditDiff = {};
  for (const f of fields) {
    if (!(f in after)) continue;
    const from = before[f] ?? null;
    const to = after[f] ?? null;
    if (canonicalJson(plainJson(from)) === canonicalJson(plainJson(to))) continue;
    const change: FieldChange = plainJson({ from, to });
    if (typeof from === 'string' && typeof to === 'string' && (from.includes('\n') || to.includes('\n'))) {
      change.lines = lineDiff(from, to);
    }
    diff[f] = change;
  }
  return Object.keys(diff).length ? diff : undefined;
}

/**
 * A line diff of two texts (longest common subsequence): `"  kept"`, `"- removed"`, `"+ added"`.
 * Notice bodies are at most 2000 characters, so the quadratic table stays small; beyond
 * MAX_LCS_CELLS it degrades to a full replacement rather than spending the time.
 */
export function lineDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > MAX_LCS_CELLS) return [...x.map((l) => `- ${l}`), ...y.map((l) => `+ ${l}`)];
  // lcs[i][j] = length of the LCS of x[i..] and y[j..]
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push(`- ${x[i++]}`);
    } else {
      out.push(`+ ${y[j++]}`);
    }
  }
  while (i < x.length) out.push(`- ${x[i++]}`);
  while (j < y.length) out.push(`+ ${y[j++]}`);
  return out;
}
