/**
 * `npm run bench:rumors -- --freshness [--rounds 40]`: how soon a second server process answers
 * with a fact-check released through the first. Its own redis-server and FerretDB; two runtimes
 * (each with its own Redis and MongoDB connections and its own in-memory fact base, their
 * periodic reconcile off) stand for two servers. Each round releases a fresh fact-check through
 * the audit on the first and times, from the release call, when the second has it. The baseline,
 * measured in the same run, is one bare Redis pub/sub hop between the two connections.
 */
import { loadConfig } from '../../bot/config.js';
import { createLogger } from '../../bot/log.js';
import { createRuntime, type Runtime } from '../../bot/runtime.js';
import { rumorsOf } from '../../bot/rumors/live-base.js';
import { queueBulkMessages } from '../../bot/outbound/bulk-messages.js';
import { createFactCheck } from '../../handlers/rumors/fact-checks.js';
import { editFactCheck, releaseFactCheck, verifyFactCheck } from '../../handlers/rumors/audit-actions.js';
import type { AuditActor } from '../../handlers/audit/workflow.js';
import type { Actor } from '../../handlers/staff/access.js';
import { startBenchServices } from './services.js';

const say = (line = '') => process.stdout.write(`${line}\n`);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const person = (name: string, duties: AuditActor['duties']): Actor => ({ id: `bench-${name}`, name, role: 'committee', duties: [...duties], scope: {} });

export async function freshnessBench(rounds: number): Promise<void> {
  const services = await startBenchServices('rumors-freshness', {}, say);
  const runtimes: Runtime[] = [];
  try {
    const config = loadConfig({
      REDIS_URL: services.redis.url,
      MONGODB_URI: services.ferret.uri('freshness'),
      WECHAT_APP_ID: 'wxbench',
      WECHAT_APP_SECRET: 'bench',
      WECHAT_TOKEN: 'benchtoken',
      WECHAT_ENCODING_AES_KEY: 'a'.repeat(43),
      WECHAT_API_BASE: services.mock.url,
      LOG_LEVEL: 'warn',
    });
    const log = createLogger('warn');
    const [first, second] = [await createRuntime(config, { log }), await createRuntime(config, { log })];
    runtimes.push(first, second);
    const [a, b] = [rumorsOf(first, { reconcileMs: 3_600_000 }), rumorsOf(second, { reconcileMs: 3_600_000 })];
    await Promise.all([a.ready, b.ready]);
    let announcedAt = 0;
    // The release announces through this: the time it does is where the propagation starts.
    const facts = { ...a, announce: async (c: Parameters<typeof a.announce>[0]) => void ((announcedAt ||= performance.now()), await a.announce(c)) };
    const deps = { models: first.models, clock: first.clock, facts, bulk: queueBulkMessages(first.redis, first.queues.bulkMessages) };
    const [author, verifier, editor, releaser] = [
      person('author', []),
      person('verifier', ['verify']),
      person('editor', ['edit']),
      person('releaser', ['release']),
    ];

    // Baseline: one pub/sub hop, first runtime's connection → a subscriber on the second's.
    const sub = second.redis.duplicate();
    await sub.subscribe('linli:bench-hop');
    const hops: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const got = new Promise<void>((resolve) => sub.once('message', () => resolve()));
      const t0 = performance.now();
      await first.redis.publish('linli:bench-hop', String(i));
      await got;
      hops.push(performance.now() - t0);
    }
    sub.disconnect();

    const seen: number[] = [];
    const releases: number[] = [];
    const spread: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const { id } = await createFactCheck(deps, author, {
        lang: 'en',
        claim: `Bench rumour number ${i}: the water tower of block ${i} will be emptied tonight`,
        verdict: 'false',
        explanation: 'A benchmark fact-check, released to time how soon the other process has it.',
      });
      await verifyFactCheck(deps, verifier, id, {});
      await editFactCheck(deps, editor, id, {});
      const t0 = performance.now();
      announcedAt = 0;
      let visibleAt = 0;
      const watch = (async () => {
        while (!b.memory.card(id)) await new Promise((r) => setImmediate(r));
        visibleAt = performance.now();
      })();
      await releaseFactCheck(deps, releaser, id, {});
      releases.push(performance.now() - t0);
      await watch;
      seen.push(visibleAt - t0);
      spread.push(visibleAt - announcedAt);
    }
    const p50 = (xs: number[]) => percentile(xs, 0.5).toFixed(1);
    const p99 = (xs: number[]) => percentile(xs, 0.99).toFixed(1);
    say('');
    say(`| measure (${rounds} rounds) | p50 | p99 | max |`);
    say('|---|---|---|---|');
    say(`| bare Redis pub/sub hop (baseline) | ${p50(hops)} ms | ${p99(hops)} ms | ${Math.max(...hops).toFixed(1)} ms |`);
    say(`| release call (audit entry, update, announce, notify) | ${p50(releases)} ms | ${p99(releases)} ms | ${Math.max(...releases).toFixed(1)} ms |`);
    say(
      `| announced → the other process answers with it (message + re-read by id + index update) | ${p50(spread)} ms | ${p99(spread)} ms | ${Math.max(...spread).toFixed(1)} ms |`,
    );
    say(`| release call start → the other process answers with it | ${p50(seen)} ms | ${p99(seen)} ms | ${Math.max(...seen).toFixed(1)} ms |`);
    say(`| ratio announced→answers / baseline hop (p50) | ${(percentile(spread, 0.5) / percentile(hops, 0.5)).toFixed(1)}× | | |`);
    say(`within one second: ${seen.filter((x) => x < 1000).length} of ${rounds}`);
  } finally {
    for (const rt of runtimes.reverse()) await rt.close();
    await services.stopAll();
  }
}
