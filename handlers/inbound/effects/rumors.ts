/**
 * A rumour check's effects: a resident told a fact-check gets a receipt (so a correction reaches
 * them), and a question nothing answers joins or opens a pending claim.
 */
import type { FactCheck } from '../../../models/fact-check.js';
import type { Language } from '../../../models/resident.js';
import { askClaim } from '../../rumors/claims.js';
import { recordReceipts, sendFactCheck } from '../../rumors/notify.js';
import type { EffectHandler } from './ports.js';

export const recordRumorAnswer: EffectHandler<'recordRumorAnswer'> = async (deps, e, { resident }) => {
  await recordReceipts(deps, e.factCheckId, e.version, [resident.id], 'chat');
  // A correction released while this answer was made: its notification may have read the
  // receipts before this one was written, so send the correction to this resident now.
  const f = await deps.models.FactCheck.findById(e.factCheckId, { published: 1 }).lean<Pick<FactCheck, '_id' | 'published'>>();
  if (f?.published && f.published.version > e.version) {
    await recordReceipts(deps, e.factCheckId, f.published.version, [resident.id], 'correction');
    await sendFactCheck(deps, f, [resident.id]);
  }
  return undefined;
};

/** Chinese characters mean a Chinese claim, whatever the asker's language. */
const languageOf = (text: string, fallback: Language): Language => (/\p{Script=Han}/u.test(text) ? 'zh-CN' : /[A-Za-z]{2,}/.test(text) ? 'en' : fallback);

export const askClaimEffect: EffectHandler<'askClaim'> = async (deps, e, { resident }) => {
  const asked = await askClaim({ ...deps, facts: deps.rumors }, { residentId: resident.id, text: e.text, lang: languageOf(e.text, resident.language) });
  return { askCount: asked.askCount };
};
