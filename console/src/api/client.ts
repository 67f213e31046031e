/**
 * The console's API client: openapi-fetch over the types generated from `GET /api/openapi.json`
 * (schema.d.ts, written by `npm run console:types`), so every path, parameter and answer is
 * checked against the API's own document. Errors become {@link ApiError} with the API's stable
 * code and a message a person can read.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Actor = Schemas['Actor'];
export type Role = Actor['role'];
export type Duty = Actor['duties'][number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type Api = ReturnType<typeof createClient<paths>>;

/** A client that sends the staff token; `onUnauthorized` runs when the API says the token is no good. */
export function apiClient(token: string, onUnauthorized: () => void): Api {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  const auth: Middleware = {
    onRequest: ({ request }) => {
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse: ({ response }) => {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * Unwrap an openapi-fetch call: the data, or an ApiError carrying the API's `{error, message}`
 * (or a network / non-JSON failure said plainly).
 */
export async function call<T>(request: Promise<Result<T>>): Promise<T> {
  let r: Result<T>;
  try {
    r = await request;
  } catch (err) {
    throw new ApiError(0, 'network', (err as Error).message);
  }
  if (r.response.ok && r.error === undefined) return r.data as T;
  const e = r.error as { error?: string; message?: string; details?: Record<string, unknown> } | string | undefined;
  if (e && typeof e === 'object' && typeof e.message === 'string') throw new ApiError(r.response.status, e.error ?? 'error', e.message, e.details);
  throw new ApiError(r.response.status, 'http', typeof e === 'string' && e ? e.slice(0, 300) : r.response.statusText);
}

/** The operations of the API document with the roles that may call them (`x-roles`), for navigation. */
export type RoleTable = Record<string, readonly string[]>;
export async function fetchRoleTable(token: string): Promise<RoleTable> {
  const res = await fetch('/api/openapi.json', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, 'http', res.statusText);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { 'x-roles'?: string[] }>> };
  const table: RoleTable = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) table[`${method.toUpperCase()} ${path}`] = op['x-roles'] ?? [];
  return table;
}
