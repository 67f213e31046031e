/**
 * Calling the staff API in tests: JSON in, `{status, body}` out, with a bearer token or none; a
 * cast of staff accounts. (Waiting for a condition: `waitFor` in `wait-for.ts`.)
 */
import type { Models } from '../../models/index.js';
import type { Role } from '../../models/staff-user.js';
import { createApp } from '../../bot/app.js';
import { serveApp, staffAccount, type TestRuntime } from './runtime.js';
export interface ApiAnswer {
  status: number;
  body: any;
}

export type ApiCall = (method: string, path: string, token?: string | null, body?: unknown) => Promise<ApiAnswer>;

export function apiClient(base: string): ApiCall {
  return async (method, path, token, body) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

/** One staff account of a test's cast: role, scope codes, display name. */
export type CastMember = readonly [role: Role, scope: { street?: string; community?: string; building?: string }, name: string];
export type Who = { token: string; id: string };

/** The accounts most staff API tests need, in the place tree of `seedPlaces`. */
export const COMMON_CAST = {
  committee: ['committee', { community: 'c1' }, 'Committee Li'],
  committee2: ['committee', { community: 'c1' }, 'Committee Wu'],
  government: ['government', { street: 's1' }, 'Street Zhou'],
  party: ['party', { community: 'c1' }, 'Party Qian'],
  admin: ['admin', {}, 'Admin'],
  outsider: ['committee', { community: 'c3' }, 'Outsider'],
  b1Committee: ['committee', { community: 'c1', building: 'b1' }, 'Building 1 warden'],
} as const satisfies Record<string, CastMember>;

/** Create every account of `cast` (through `createStaff`) and return their tokens and ids by name. */
export async function createCast<C extends Record<string, CastMember>>(models: Models, cast: C): Promise<{ [K in keyof C]: Who }> {
  const out = {} as { [K in keyof C]: Who };
  for (const [key, [role, scope, name]] of Object.entries(cast) as [keyof C, CastMember][]) out[key] = await staffAccount(models, { role, ...scope, name });
  return out;
}

/** The app of `t` served on a free port, and a client for it. */
export async function serveStaffApi(t: TestRuntime): Promise<{ api: ApiCall; close(): Promise<void> }> {
  const http = await serveApp(createApp(t.rt));
  return { api: apiClient(http.url), close: http.close };
}
