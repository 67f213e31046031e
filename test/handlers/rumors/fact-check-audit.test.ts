/**
 * A fact-check's three-level audit on the shared workflow: three different people besides the
 * author, each step in the hash-chained trail; release publishes exactly the audited text; a
 * correction goes through the whole audit again while residents keep the released text; a
 * withdrawal takes it out of the fact base.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctFactCheck, createFactCheck, updateFactCheck } from '../../../handlers/rumors/fact-checks.js';
import { editFactCheck, rejectFactCheck, releaseFactCheck, verifyFactCheck, withdrawFactCheck } from '../../../handlers/rumors/audit-actions.js';
import { loadFactCheck } from '../../../handlers/rumors/deps.js';
import { auditTrail } from '../../../handlers/audit/chain.js';
import { verifyAuditChains } from '../../../handlers/audit/verify.js';
import { actor, openAuditDb, type AuditTestDb, errorCode } from '../audit/helpers.js';
import { rumorDeps, sampleFactCheck } from './helpers.js';

let t: AuditTestDb;
let deps: ReturnType<typeof rumorDeps>;

beforeAll(async () => {
  t = await openAuditDb('rumor_audit');
  deps = rumorDeps(t.models);
});
afterAll(() => t?.close());

const code = errorCode;

const ALL = ['verify', 'edit', 'release'] as const;
const author = actor('author', [...ALL]);
const verifier = actor('verifier', [...ALL]);
const editor = actor('editor', [...ALL]);
const releaser = actor('releaser', [...ALL]);
const corrector = actor('corrector', [...ALL]);

async function released(over: Record<string, unknown> = {}, by = author): Promise<string> {
  const { id } = await createFactCheck(deps, by, sampleFactCheck(over));
  await verifyFactCheck(deps, verifier, id, {});
  await editFactCheck(deps, editor, id, { explanation: '绿豆汤只是消暑饮品，没有研究证明它能预防新冠病毒感染。', comment: '措辞' });
  await releaseFactCheck(deps, releaser, id, {});
  return id;
}

describe('the audit of a fact-check', () => {
  it('is released after verify, edit and release by three people other than the author, and then answers residents', async () => {
    const { id, status, version } = await createFactCheck(deps, author, sampleFactCheck());
    expect({ status, version }).toEqual({ status: 'draft', version: 1 });
    expect((await deps.facts.check('喝绿豆汤能防新冠吗', 'zh-CN')).match).toBeNull(); // a draft answers nobody
    await verifyFactCheck(deps, verifier, id, { comment: '来源已核' });
    await editFactCheck(deps, editor, id, { explanation: '绿豆汤只是消暑饮品，没有研究证明它能预防新冠病毒感染。' });
    const out = await releaseFactCheck(deps, releaser, id, { version: 3 });
    expect(out).toMatchObject({ status: 'released', version: 4, publishedVersion: 4, notified: true });

    const f = await loadFactCheck(t.models, id);
    expect(f.published).toMatchObject({
      version: 4,
      claim: '喝绿豆汤可以预防新冠病毒感染',
      explanation: '绿豆汤只是消暑饮品，没有研究证明它能预防新冠病毒感染。',
    });
    expect(f.published!.corrects).toBeUndefined();
    const trail = await auditTrail(t.models, 'fact_check', id);
    expect(trail.map((e) => [e.action, e.duty ?? null, e.actorId])).toEqual([
      ['create', null, author.id],
      ['verify', 'verify', verifier.id],
      ['edit', 'edit', editor.id],
      ['release', 'release', releaser.id],
    ]);
    // The release entry records exactly what residents are told from then on.
    expect(trail[3]!.diff?.published?.to).toMatchObject({ version: 4, verdict: 'false' });
    expect((await deps.facts.check('喝绿豆汤能防新冠吗', 'zh-CN')).match).toMatchObject({ id, version: 4, verdict: 'false' });
    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
  });

  it('refuses the author, one person doing two duties, a missing duty, the wrong state and a stale version', async () => {
    const { id } = await createFactCheck(deps, author, sampleFactCheck({ claim: '喝绿豆汤可以治好新冠' }));
    expect(await code(verifyFactCheck(deps, author, id, {}))).toBe('separation_of_duties');
    expect(await code(verifyFactCheck(deps, actor('no-duty'), id, {}))).toBe('forbidden_duty');
    expect(await code(editFactCheck(deps, editor, id, {}))).toBe('conflict_state'); // not verified yet
    expect(await code(verifyFactCheck(deps, verifier, id, { version: 7 }))).toBe('conflict_state');
    await verifyFactCheck(deps, verifier, id, {});
    expect(await code(editFactCheck(deps, verifier, id, {}))).toBe('separation_of_duties');
    await editFactCheck(deps, editor, id, {});
    expect(await code(releaseFactCheck(deps, editor, id, {}))).toBe('separation_of_duties');
    expect(await code(releaseFactCheck(deps, verifier, id, {}))).toBe('separation_of_duties');
    expect(await code(releaseFactCheck(deps, author, id, {}))).toBe('separation_of_duties');
    expect((await loadFactCheck(t.models, id)).status).toBe('edited');
    expect(await auditTrail(t.models, 'fact_check', id)).toHaveLength(3);
  });

  it('reject sends it back to draft in a new round where the performers are free again; only the author changes the draft', async () => {
    const { id } = await createFactCheck(deps, author, sampleFactCheck({ claim: '吃绿豆能杀死病毒' }));
    await verifyFactCheck(deps, verifier, id, {});
    expect(await code(rejectFactCheck(deps, editor, id, {}))).toBe('invalid_input'); // the reason is required
    await rejectFactCheck(deps, editor, id, { comment: '来源不够权威' });
    expect(await code(updateFactCheck(deps, editor, id, { source: '世界卫生组织' }))).toBe('not_author');
    await updateFactCheck(deps, author, id, { source: '世界卫生组织' });
    await verifyFactCheck(deps, editor, id, {}); // editor verifies in round 2
    await editFactCheck(deps, verifier, id, {});
    await releaseFactCheck(deps, releaser, id, {});
    const f = await loadFactCheck(t.models, id);
    expect(f).toMatchObject({ status: 'released', round: 2, source: '世界卫生组织', published: { source: '世界卫生组织' } });
  });
});

describe('a correction', () => {
  it('goes through the whole audit again; residents keep the released text until the corrected one is released', async () => {
    const id = await released({ claim: '喝绿豆汤可以预防流感', explanation: '绿豆汤不能预防流感，预防流感要接种流感疫苗。' });
    const before = await loadFactCheck(t.models, id);
    expect(await code(correctFactCheck(deps, corrector, id, { verdict: 'misleading' }))).toBe('invalid_input'); // why is required
    const c = await correctFactCheck(deps, corrector, id, { verdict: 'misleading', comment: '结论过于绝对' });
    expect(c).toMatchObject({ status: 'draft', round: 2, publishedVersion: before.version });
    // Still answering with the released text.
    expect((await deps.facts.check('绿豆汤能预防流感吗', 'zh-CN')).match).toMatchObject({ id, verdict: 'false', version: before.version });

    // The corrector writes the draft and reviews none of it; the original author still reviews nothing.
    await updateFactCheck(deps, corrector, id, { explanation: '绿豆汤不能预防流感；多喝水对身体有益，但预防流感要接种流感疫苗。' });
    expect(await code(updateFactCheck(deps, author, id, { source: 'x' }))).toBe('not_author');
    expect(await code(verifyFactCheck(deps, corrector, id, {}))).toBe('separation_of_duties');
    expect(await code(verifyFactCheck(deps, author, id, {}))).toBe('separation_of_duties');
    await verifyFactCheck(deps, releaser, id, {}); // last round's releaser verifies this one
    await editFactCheck(deps, verifier, id, {});
    expect(await code(releaseFactCheck(deps, corrector, id, {}))).toBe('separation_of_duties');
    const out = await releaseFactCheck(deps, editor, id, {});
    const after = await loadFactCheck(t.models, id);
    expect(after.published).toMatchObject({ verdict: 'misleading', version: out.version, corrects: before.version });
    expect((await deps.facts.check('绿豆汤能预防流感吗', 'zh-CN')).match).toMatchObject({ id, verdict: 'misleading', version: out.version });
    expect(
      await code(correctFactCheck(deps, corrector, (await createFactCheck(deps, author, sampleFactCheck({ claim: '绿豆能治百病' }))).id, { comment: 'x' })),
    ).toBe('conflict_state'); // only a released fact-check is corrected
    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
  });

  it('a withdrawal takes it out of the fact base and is recorded; the author may withdraw only an unreleased draft', async () => {
    const writer = actor('writer'); // no audit duty
    const id = await released({ claim: '绿豆汤加冰糖可以治咳嗽', explanation: '没有证据表明绿豆汤能治咳嗽，咳嗽持续请就医。' }, writer);
    expect((await deps.facts.check('绿豆汤加冰糖能治咳嗽吗', 'zh-CN')).match?.id).toBe(id);
    expect(await code(withdrawFactCheck(deps, writer, id, {}))).toBe('forbidden_duty');
    await withdrawFactCheck(deps, releaser, id, { comment: '重复条目' });
    expect(await loadFactCheck(t.models, id)).toMatchObject({ status: 'cancelled', published: null });
    expect((await deps.facts.check('绿豆汤加冰糖能治咳嗽吗', 'zh-CN')).candidates.map((c) => c.id)).not.toContain(id);
    const trail = await auditTrail(t.models, 'fact_check', id);
    expect(trail.at(-1)).toMatchObject({ action: 'withdraw', to: 'cancelled', diff: { published: { to: null } } });

    const { id: draft } = await createFactCheck(deps, writer, sampleFactCheck({ claim: '绿豆汤能退烧' }));
    await withdrawFactCheck(deps, writer, draft, {});
    expect((await loadFactCheck(t.models, draft)).status).toBe('cancelled');
  });
});
