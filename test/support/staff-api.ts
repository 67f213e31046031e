/** Calling the staff JSON API of a served app as a client would: bearer token, JSON both ways. */

export interface ApiAnswer {
  status: number;
  body: any;
}

/**
 * `api(method, path, who, body)` against `base`: `who` is a token or an account with one (null:
 * no Authorization header); a string body is sent as it is (to send broken JSON).
 */
export function staffApi(base: string) {
  return async (method: string, path: string, who?: { token: string } | string | null, body?: unknown): Promise<ApiAnswer> => {
    const headers: Record<string, string> = {};
    const token = typeof who === 'string' ? who : who?.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}
