/**
 * One batch of a bulk message (see `bulk-messages.ts`): each recipient not reached yet gets the
 * text in their language through `tellResident` (the notices' channel choice and send pace);
 * reached ones are recorded so a rerun skips them.
 */
import type { Translate } from '../../flows/engine/render.js';
import { renderPrompt } from '../../flows/engine/render.js';
import type { Language } from '../../flows/engine/types.js';
import type { BulkMessage } from './bulk-messages.js';
import { tellResident, type TellDeps, type TellOutcome } from './tell-resident.js';

export interface BulkBatchDeps extends TellDeps {
  translate(language: Language): Translate;
  /** The message's recipients reached so far (a set shared by every worker). */
  reached: { has(messageId: string, residentId: string): Promise<boolean>; add(messageId: string, residentId: string): Promise<void> };
}

export async function sendBulkBatch(
  deps: BulkBatchDeps,
  messageId: string,
  m: Pick<BulkMessage, 'title' | 'text'>,
  residentIds: string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const residentId of residentIds) {
    if (await deps.reached.has(messageId, residentId)) continue;
    const outcome: TellOutcome = await tellResident(deps, residentId, (lang) => ({
      title: renderPrompt(m.title, deps.translate(lang), lang),
      text: renderPrompt(m.text, deps.translate(lang), lang),
    }));
    await deps.reached.add(messageId, residentId);
    const k = outcome.sent ? outcome.sent : outcome.reason;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
