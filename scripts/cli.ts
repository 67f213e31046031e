import { loadConfig, loadConfigOrExit, ConfigError, type Config } from '../bot/config.js';
import { connectMongo } from '../bot/connect.js';
import { createLogger } from '../bot/log.js';
import { bindModels, syncIndexes, type Models } from '../models/index.js';
import { AppError } from '../handlers/errors.js';

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Run a CLI body with the database connected and turn every expected failure into a message
 * and a non-zero exit: usage mistakes → 2, invalid input → 1, unreachable services → 1.
 * `prepare` (arguments, input files) runs first, so its mistakes need no database.
 */
export async function runCli<P = void>(
  usage: string,
  body: (ctx: { models: Models; config: Config }, prepared: P) => Promise<void>,
  prepare?: () => P | Promise<P>,
): Promise<void> {
  let close: (() => Promise<void>) | undefined;
  try {
    const prepared = (await prepare?.()) as P;
    const config = loadConfig({ ...defaultsForCli, ...process.env });
    const log = createLogger('warn');
    const conn = await connectMongo(config.MONGODB_URI, Math.min(config.STARTUP_TIMEOUT_MS, 10_000), log);
    close = () => conn.close();
    const models = bindModels(conn);
    await syncIndexes(models);
    await body({ models, config }, prepared);
    await close();
    process.exit(0);
  } catch (err) {
    await close?.().catch(() => {});
    const e = err as Error;
    if (e instanceof UsageError) process.stderr.write(`error: ${e.message}\n\n${usage}\n`);
    else if (e instanceof AppError) process.stderr.write(`error: ${e.message}\n`);
    else if (e instanceof ConfigError) process.stderr.write(`linli: ${e.message}\n`);
    else process.stderr.write(`error: ${e.message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}

/** The configuration for a CLI that needs only MONGODB_URI (exit 2 naming a bad variable). */
export function loadCliConfig(): Config {
  return loadConfigOrExit({ ...defaultsForCli, ...process.env });
}

/**
 * CLIs only need MONGODB_URI (and sometimes REDIS_URL); give the WeChat credentials harmless
 * placeholders so `npm run staff` does not demand channel secrets it never uses.
 */
const defaultsForCli: Record<string, string> = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  WECHAT_APP_ID: 'wxcliunused',
  WECHAT_APP_SECRET: 'unused',
  WECHAT_TOKEN: 'unused',
  WECHAT_ENCODING_AES_KEY: 'a'.repeat(43),
};
