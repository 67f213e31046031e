import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/** True when the module at `moduleUrl` is the process entry point (so importing it runs nothing). */
export function isMain(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && moduleUrl === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}
