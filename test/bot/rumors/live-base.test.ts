/**
 * The fact base in every server process: two runtimes on the same Redis and database, as two
 * servers behind a load balancer. A fact-check released, corrected or withdrawn through one is
 * seen by the other through the pub/sub message alone (their periodic reconcile is an hour here,
 * so nothing else could have told it); a change nobody announced is picked up by the reconcile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../bot/runtime.js';
import { rumorsOf, startLiveFactBase, type LiveFactBase } from '../../../bot/rumors/live-base.js';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import type { RumorDeps } from '../../../handlers/rumors/deps.js';
import { correctFactCheck, createFactCheck } from '../../../handlers/rumors/fact-checks.js';
import { editFactCheck, releaseFactCheck, verifyFactCheck, withdrawFactCheck } from '../../../handlers/rumors/audit-actions.js';
import { askClaim } from '../../../handlers/rumors/claims.js';
import { importFactChecks } from '../../../handlers/rumors/import.js';
import { createTestRuntime, type TestRuntime } from '../../support/runtime.js';
import { waitFor } from '../../support/wait-for.js';
import { actor } from '../../handlers/audit/helpers.js';

const HOUR = 3_600_000;
let t: TestRuntime;
let other: Runtime;
let a: LiveFactBase;
let b: LiveFactBase;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'rumors_live' });
  other = await createRuntime(t.config, { log: t.rt.log });
  a = rumorsOf(t.rt, { reconcileMs: HOUR });
  b = rumorsOf(other, { reconcileMs: HOUR });
  await Promise.all([a.ready, b.ready]);
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

const depsOf = (rt: Runtime): RumorDeps => ({
  models: rt.models,
  clock: rt.clock,
  facts: rumorsOf(rt),
  bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages),
});
const [author, verifier, editor, releaser] = ['author', 'verifier', 'editor', 'releaser'].map((n) =>
  actor(n, n === 'author' ? [] : ['verify', 'edit', 'release']),
);

async function releaseThrough(deps: RumorDeps, id: string): Promise<number> {
  await verifyFactCheck(deps, verifier!, id, {});
  await editFactCheck(deps, editor!, id, {});
  return (await releaseFactCheck(deps, releaser!, id, {})).version;
}

const QUESTION = '晚上开窗睡觉会让病毒飘进家里吗';
const answerOn = (base: LiveFactBase) => base.memory.check(QUESTION, 'zh-CN').match;

describe('two server processes', () => {
  it('a fact-check released through one answers on the other, by the pub/sub message', async () => {
    const deps = depsOf(t.rt);
    const { id } = await createFactCheck(deps, author!, {
      lang: 'zh-CN',
      claim: '晚上开窗睡觉，病毒会飘进家里',
      verdict: 'false',
      explanation: '开窗通风能降低室内病毒浓度；病毒不会从室外大量飘进家里。',
    });
    expect(answerOn(b)).toBeNull();
    const version = await releaseThrough(deps, id);
    expect(answerOn(a)?.id).toBe(id); // the releasing process at once
    const seen = await waitFor('the other process to answer with it', async () => answerOn(b));
    expect(seen).toMatchObject({ id, version, verdict: 'false' });
  });

  it('a correction and a withdrawal reach the other process the same way', async () => {
    const deps = depsOf(other); // this time through the second process
    const id = answerOn(a)!.id;
    await correctFactCheck(deps, author!, id, { verdict: 'misleading', comment: '夜间注意保暖' });
    expect(answerOn(b)?.verdict).toBe('false'); // still the released text during the correction
    const v2 = await releaseThrough(deps, id);
    await waitFor('the correction on the first process', async () => answerOn(a)?.version === v2);
    expect(answerOn(a)?.verdict).toBe('misleading');

    await withdrawFactCheck(deps, releaser!, id, { comment: '合并到另一条' });
    await waitFor('the withdrawal on the first process', async () => answerOn(a) === null);
    expect(a.memory.check(QUESTION, 'zh-CN').candidates.map((c) => c.id)).not.toContain(id);
  });

  it('a claim opened on one process is joined from the other', async () => {
    const opened = await askClaim(depsOf(t.rt), { residentId: 'r-1', text: '听说明天全区的公交车都停运了', lang: 'zh-CN' });
    const claimId = await waitFor('the claim on the other process', async () => b.memory.similarClaim('明天全区公交车停运了？', 'zh-CN'));
    expect(claimId).toBe(opened.claimId);
    expect(await askClaim(depsOf(other), { residentId: 'r-2', text: '明天全区公交车停运了？', lang: 'zh-CN' })).toMatchObject({
      claimId: opened.claimId,
      askCount: 2,
    });
  });

  it('a change nobody announced is picked up by the periodic reconcile', async () => {
    const quick = startLiveFactBase({ models: other.models, redis: other.redis, log: other.log, reconcileMs: 200 });
    try {
      await quick.ready;
      // Imported without a fact base to tell: no message goes out.
      await importFactChecks(
        { models: t.rt.models, clock: t.rt.clock },
        [
          {
            lang: 'en',
            claim: 'Boiling tap water twice makes it radioactive',
            verdict: 'false',
            explanation: 'Boiling water does not make it radioactive; boil it once and let it cool.',
          },
        ],
        {
          operator: 'test',
          source: 'silent.json',
        },
      );
      await waitFor('the reconcile', async () => quick.memory.check('does boiling water twice make it radioactive', 'en').match);
      expect(b.memory.check('does boiling water twice make it radioactive', 'en').match).toBeNull(); // the hourly one has not run
    } finally {
      await quick.close();
    }
  });
});
