import crypto from 'node:crypto';
import type { AuditEntryFields } from '../../models/audit-entry.js';

/** The fields an entry's hash covers, i.e. everything stored except `_id` and `hash` itself. */
export const HASHED_FIELDS = [
  'subjectType',
  'subjectId',
  'seq',
  'version',
  'round',
  'actorId',
  'actorName',
  'role',
  'action',
  'duty',
  'from',
  'to',
  'at',
  'comment',
  'diff',
  'meta',
  'prevHash',
] as const satisfies readonly (keyof AuditEntryFields)[];

/** `prevHash` of the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted (recursively), `undefined` members left out, dates as ISO
 * strings. Two structurally equal values give the same string whatever their key order, so the
 * hash of an entry read back from the database equals the hash computed before inserting it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot hash the number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`cannot hash a ${typeof value}`);
  }
}

/** sha256 (hex) over the canonical JSON of an entry's hashed fields (prevHash included). */
export function hashEntry(entry: AuditEntryFields): string {
  const picked: Record<string, unknown> = {};
  for (const k of HASHED_FIELDS) picked[k] = entry[k];
  return crypto.createHash('sha256').update(canonicalJson(picked)).digest('hex');
}

/**
 * Reduce a value to plain JSON (dates → ISO strings, `undefined` dropped) so that what is stored
 * in a schemaless field reads back exactly as hashed.
 */
export function plainJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
