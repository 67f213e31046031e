/**
 * The fact base the transcripts run against: the starter fact-checks in a real `RumorIndex`
 * (ids are their keys, every one at version 1), answering `rumorCheck` lookups as the process's
 * in-memory base does.
 */
import { RumorIndex } from '../../handlers/rumors/matcher/index.js';
import type { RumorCheckFact } from '../../flows/engine/facts.js';
import type { FactCheckCard } from '../../flows/rumors/card.js';
import type { Language } from '../../flows/engine/types.js';
import { loadStarterFacts, toFactEntry } from '../../scripts/data/fact-checks.js';

export function starterRumorLookup(): (query: string, lang: Language) => RumorCheckFact {
  const index = new RumorIndex();
  const cards = new Map<string, FactCheckCard>();
  for (const f of loadStarterFacts()) {
    index.upsert(toFactEntry(f));
    cards.set(f.key, { id: f.key, version: 1, lang: f.lang, claim: f.claim, verdict: f.verdict, explanation: f.explanation, source: f.source });
  }
  return (query, lang) => {
    const r = index.match(query, lang);
    const card = (s: { id: string; score: number }) => ({ ...cards.get(s.id)!, score: Math.round(s.score * 1000) / 1000 });
    return { query, match: r.match ? card(r.match) : null, candidates: r.candidates.map(card) };
  };
}
