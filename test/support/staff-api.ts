/**
 * Calling the staff API in tests: JSON in, `{status, body}` out, with a bearer token or none; and
 * waiting for a condition with a deadline (never sleep-and-hope).
 */
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

/** Poll `probe` until it returns a truthy value (returned), or fail naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
