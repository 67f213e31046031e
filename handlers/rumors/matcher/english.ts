/**
 * A small English stemmer: enough to fold plurals, -ing, -ed and a silent final e so that
 * "spreading", "spreads" and "spread", or "cures", "cured" and "cure", give one token. Both the
 * thesaurus and the texts go through it, so its stems need only agree with each other.
 */
export function stemEnglish(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(ss|us|is)$/.test(w)) {
    // glass, virus, analysis: not plurals
  } else if (/(xes|ches|shes|sses|oes)$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ied') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  if (/([bdfgklmnprt])\1$/.test(w) && w.length > 3) w = w.slice(0, -1); // stopp(ed) → stop
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}
