/**
 * QR poster scenes. A community or building poster pre-fills registration; a gate poster (gate
 * passes) names the gate. Scene strings are what staff print: `c:<community>`,
 * `b:<community>:<building>`, `g:<gateId>`.
 */
export type Scene =
  | { kind: 'community'; community: string }
  | { kind: 'building'; community: string; building: string }
  | { kind: 'gate'; gate: string }
  | { kind: 'unknown' };

export function parseScene(raw: string | undefined): Scene {
  const s = (raw ?? '').trim();
  let m = /^c:([a-z0-9-]{1,32})$/.exec(s);
  if (m) return { kind: 'community', community: m[1]! };
  m = /^b:([a-z0-9-]{1,32}):([A-Za-z0-9-]{1,32})$/.exec(s);
  if (m) return { kind: 'building', community: m[1]!, building: m[2]! };
  m = /^g:([A-Za-z0-9-]{1,40})$/.exec(s);
  if (m) return { kind: 'gate', gate: m[1]! };
  return { kind: 'unknown' };
}

export const communityScene = (community: string) => `c:${community}`;
export const buildingScene = (community: string, building: string) => `b:${community}:${building}`;
