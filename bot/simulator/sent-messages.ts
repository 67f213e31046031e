/**
 * What the bot sent one resident through the WeChat API, read from the mock's call log
 * (`GET /__calls`, scripts/mock-wechat-api.ts): customer-service texts and template messages, as
 * a person would read them. Against the real WeChat API there is no such log: the answer says so.
 */
export interface SentMessage {
  /** The mock's call number: poll again with `after` = the last one seen. */
  seq: number;
  at: string;
  kind: 'text' | 'template' | 'other';
  text: string;
}

interface Call {
  seq: number;
  time: number;
  endpoint: string;
  errcode: number;
  body?: { touser?: string; msgtype?: string; text?: { content?: string }; data?: Record<string, { value?: string }> };
}

function readable(c: Call): SentMessage {
  const at = new Date(c.time).toISOString();
  const b = c.body ?? {};
  if (c.endpoint === 'custom_send' && b.msgtype === 'text') return { seq: c.seq, at, kind: 'text', text: b.text?.content ?? '' };
  if (c.endpoint === 'template_send') {
    const text = Object.values(b.data ?? {})
      .map((f) => f.value ?? '')
      .filter(Boolean)
      .join('\n');
    return { seq: c.seq, at, kind: 'template', text };
  }
  return { seq: c.seq, at, kind: 'other', text: `(${b.msgtype ?? c.endpoint} message)` };
}

export async function sentMessages(apiBase: string, openid: string, after: number): Promise<{ messages: SentMessage[]; available: boolean }> {
  const got: Call[] = [];
  for (const endpoint of ['custom_send', 'template_send']) {
    let res: Response;
    try {
      res = await fetch(`${apiBase}/__calls?endpoint=${endpoint}`, { signal: AbortSignal.timeout(5_000) });
    } catch {
      return { messages: [], available: false };
    }
    if (!res.ok) return { messages: [], available: false };
    got.push(...((await res.json()) as Call[]));
  }
  const messages = got
    .filter((c) => c.seq > after && c.errcode === 0 && c.body?.touser === openid)
    .sort((a, b) => a.seq - b.seq)
    .map(readable);
  return { messages, available: true };
}
