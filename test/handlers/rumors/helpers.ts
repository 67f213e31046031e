/**
 * Shared by the rumour handler tests: a fresh FerretDB database, the process's fact base in memory
 * (`MemoryFactBase`, announcing straight to itself — the Redis side is tested in
 * test/bot/rumors/) and a bulk-message port that records what would be sent.
 */
import type { Models } from '../../../models/index.js';
import type { BulkMessage, BulkMessages } from '../../../handlers/outbound/bulk-messages.js';
import type { FactBase } from '../../../handlers/rumors/ports.js';
import type { RumorDeps } from '../../../handlers/rumors/deps.js';
import { MemoryFactBase } from '../../../bot/rumors/memory-base.js';

export interface RecordingBulk extends BulkMessages {
  sent: BulkMessage[];
  /** Residents each (kind, ref) went to, as the real port would reach them: each once. */
  reached(ref: string): string[];
}

export function recordingBulk(): RecordingBulk {
  const sent: BulkMessage[] = [];
  return {
    sent,
    async send(m) {
      sent.push(structuredClone(m));
      return { messageId: m.ref, queued: m.residentIds.length };
    },
    exists: async (kind, ref) => sent.some((m) => m.kind === kind && m.ref === ref),
    reached: (ref) => [...new Set(sent.filter((m) => m.ref === ref).flatMap((m) => m.residentIds))].sort(),
  };
}

export function memoryFactBase(models: Models): FactBase & { memory: MemoryFactBase } {
  const memory = new MemoryFactBase(models);
  const loaded = memory.reconcile();
  return {
    memory,
    check: async (text, lang) => (await loaded, memory.check(text, lang)),
    similarClaim: async (text, lang) => (await loaded, memory.similarClaim(text, lang)),
    announce: (change) => memory.refresh(change),
  };
}

export function rumorDeps(
  models: Models,
  bulk: RecordingBulk = recordingBulk(),
): RumorDeps & { bulk: RecordingBulk; facts: ReturnType<typeof memoryFactBase> } {
  return { models, clock: { now: () => new Date() }, facts: memoryFactBase(models), bulk };
}

export const sampleFactCheck = (over: Record<string, unknown> = {}) => ({
  lang: 'zh-CN',
  claim: '喝绿豆汤可以预防新冠病毒感染',
  verdict: 'false',
  explanation: '绿豆汤是消暑的饮品，没有任何研究证明它能预防新冠病毒感染。',
  source: '国家卫生健康委员会',
  ...over,
});
