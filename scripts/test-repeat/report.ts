/** What one vitest run reported (its JSON reporter's file), reduced to what a flake hunt needs. */

interface JsonAssertion {
  fullName?: string;
  title?: string;
  ancestorTitles?: string[];
  status?: string;
}
interface JsonFile {
  name?: string;
  status?: string;
  message?: string;
  assertionResults?: JsonAssertion[];
}
export interface VitestJson {
  numTotalTests?: number;
  numFailedTests?: number;
  success?: boolean;
  testResults?: JsonFile[];
}

export interface RunReport {
  total: number;
  /** `file > describe > test` of every failed test, or `file (…)` for a file that failed outside its tests. */
  failures: string[];
}

/** Failed tests named as `file > describe > test`, file paths relative to `root`. */
export function reportOf(json: VitestJson, root: string): RunReport {
  const failures: string[] = [];
  for (const file of json.testResults ?? []) {
    const name = (file.name ?? '?').startsWith(`${root}/`) ? file.name!.slice(root.length + 1) : (file.name ?? '?');
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) failures.push([name, ...(a.ancestorTitles ?? []), a.title ?? a.fullName ?? '?'].join(' > '));
    // A hook, an import or an unhandled error can fail a file without failing one of its tests.
    if (file.status === 'failed' && failed.length === 0) failures.push(`${name} (${(file.message ?? 'failed outside its tests').split('\n')[0]})`);
  }
  return { total: json.numTotalTests ?? 0, failures };
}

/** `1 failed: a; b` style list, for one line of output. */
export function failureLine(failures: string[]): string {
  return failures.length === 0 ? '' : `${failures.length} failed: ${failures.join('; ')}`;
}
