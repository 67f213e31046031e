/**
 * Telling residents about a release: everyone who asked a claim the fact-check answers, and — for
 * a correction — everyone who received an earlier version (answered in chat, or told before).
 * One bulk message per released version (kind `fact-check`, ref `<id>@<version>`), so each
 * resident gets each version at most once however often this runs; receipts record who got which.
 */
import type { Claim, ClaimAsk } from '../../models/claim.js';
import { receiptIdFor, type FactCheck, type FactCheckReceipt } from '../../models/fact-check.js';
import { cardPrompt } from '../../flows/rumors/card.js';
import { isDuplicateKey } from '../audit/chain.js';
import { cardOf, type RumorDeps } from './deps.js';

/** Receipts are appended in batches this size (an insertMany; duplicates of a rerun are ignored). */
const RECEIPT_BATCH = 1000;

export const factCheckRefOf = (id: string, version: number) => `${id}@${version}`;

/** Append receipts, ignoring the ones a previous run already wrote. */
export async function recordReceipts(
  deps: Pick<RumorDeps, 'models' | 'clock'>,
  factCheckId: string,
  version: number,
  residentIds: string[],
  via: FactCheckReceipt['via'],
): Promise<void> {
  const at = deps.clock.now();
  for (let i = 0; i < residentIds.length; i += RECEIPT_BATCH) {
    const docs = residentIds
      .slice(i, i + RECEIPT_BATCH)
      .map((residentId) => ({ _id: receiptIdFor(factCheckId, residentId, version), factCheckId, residentId, version, via, at }));
    try {
      await deps.models.FactCheckReceipt.insertMany(docs, { ordered: false });
    } catch (err) {
      const dup = isDuplicateKey(err) || ((err as { writeErrors?: { code?: number }[] }).writeErrors ?? []).every((e) => e.code === 11000);
      if (!dup) throw err;
    }
  }
}

/** Send one released version of a fact-check to residents (each at most once per version). */
export async function sendFactCheck(deps: Pick<RumorDeps, 'bulk'>, f: Pick<FactCheck, '_id' | 'published'>, residentIds: string[]): Promise<void> {
  const card = cardOf(String(f._id), f.published);
  if (!card || !residentIds.length) return;
  const correction = f.published?.corrects !== undefined;
  await deps.bulk.send({
    kind: 'fact-check',
    ref: factCheckRefOf(card.id, card.version),
    title: { key: correction ? 'rumors:notify_correction_title' : 'rumors:notify_answer_title' },
    text: { key: correction ? 'rumors:notify_correction' : 'rumors:notify_answer', params: { card: cardPrompt(card) } },
    residentIds,
  });
}

/**
 * After a release: the pending claims it answers become `answered`, and their askers plus the
 * readers of earlier versions are told. Idempotent (the sweep reruns it until `notifiedVersion`
 * catches up with the published version).
 */
export async function notifyRelease(deps: RumorDeps, f: FactCheck): Promise<{ recipients: number }> {
  const id = String(f._id);
  const version = f.published?.version;
  if (!version) return { recipients: 0 };
  const claims = await deps.models.Claim.find({ factCheckId: id, status: { $in: ['pending', 'answered'] } }, { status: 1 }).lean<
    Pick<Claim, '_id' | 'status'>[]
  >();
  const pending = claims.filter((c) => c.status === 'pending').map((c) => c._id);
  if (pending.length) {
    await deps.models.Claim.updateMany({ _id: { $in: pending } }, { $set: { status: 'answered', answeredAt: deps.clock.now() } });
    for (const claimId of pending) await deps.facts.announce({ kind: 'claim', id: String(claimId) });
  }
  const askers = claims.length
    ? (await deps.models.ClaimAsk.find({ claimId: { $in: claims.map((c) => String(c._id)) } }, { residentId: 1 }).lean<Pick<ClaimAsk, 'residentId'>[]>()).map(
        (a) => a.residentId,
      )
    : [];
  const receipts = await deps.models.FactCheckReceipt.find({ factCheckId: id }, { residentId: 1, version: 1, via: 1 }).lean<
    Pick<FactCheckReceipt, 'residentId' | 'version' | 'via'>[]
  >();
  const readers = receipts.filter((r) => r.version < version).map((r) => r.residentId);
  // Someone answered in chat with this very version already has it.
  const seen = new Set(receipts.filter((r) => r.version === version && r.via === 'chat').map((r) => r.residentId));
  const asked = new Set(askers);
  const recipients = [...new Set([...askers, ...readers])].filter((r) => !seen.has(r));
  await recordReceipts(
    deps,
    id,
    version,
    recipients.filter((r) => asked.has(r)),
    'asked',
  );
  await recordReceipts(
    deps,
    id,
    version,
    recipients.filter((r) => !asked.has(r)),
    'correction',
  );
  await sendFactCheck(deps, f, recipients);
  await deps.models.FactCheck.updateOne({ _id: f._id, notifiedVersion: { $lt: version } }, { $set: { notifiedVersion: version } });
  return { recipients: recipients.length };
}

/** The sweep: released versions whose residents were not told yet (a failed or interrupted release). */
export async function notifyOutstanding(deps: RumorDeps): Promise<number> {
  const live = await deps.models.FactCheck.find({ published: { $ne: null } }).lean<FactCheck[]>();
  let n = 0;
  for (const f of live) {
    if ((f.notifiedVersion ?? 0) >= (f.published?.version ?? 0)) continue;
    await deps.facts.announce({ kind: 'fact-check', id: String(f._id) });
    await notifyRelease(deps, f);
    n++;
  }
  return n;
}
