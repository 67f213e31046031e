/**
 * Read a webhook's HTTP answer the way WeChat would (docs/wechat-protocol.md §5, §7): the
 * literal `success` or an empty body mean "no passive reply"; otherwise a reply XML, which for
 * encrypted pushes is the envelope whose `MsgSignature` must verify and whose ciphertext must
 * decrypt for our receiveid. Pure; shared by the terminal chat and the tests.
 */
import { decryptMessage, msgSignature, parseXml, signatureMatches, type XmlRecord } from '../../bot/wechat/index.js';
import type { ChannelCredentials } from './wechat-request.js';

/** What the webhook answered. */
export type ReadReply =
  /** `success`: the answer follows through the customer-service API. */
  | { kind: 'late' }
  /** Empty body: no reply at all. */
  | { kind: 'none' }
  /** A passive reply; `xml` is the plaintext (decrypted) reply, `fields` its children. */
  | { kind: 'reply'; xml: string; fields: XmlRecord; encrypted: boolean; text?: string };

/** The envelope did not verify: signature, ciphertext or receiveid wrong. */
export class ReplyError extends Error {
  override name = 'ReplyError';
}

const leaf = (fields: XmlRecord, name: string): string | undefined => {
  const v = fields[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Decode an HTTP 200 body. An encrypted envelope (`<Encrypt>` present) is verified with the
 * channel's Token and decrypted with its EncodingAESKey; `expectEncrypted` makes a plaintext
 * reply to an encrypted push an error (safe mode requires the envelope, §3.1).
 * @throws ReplyError, or the codec's CodecError for a bad ciphertext
 */
export function readReply(body: string, creds: ChannelCredentials, opts: { expectEncrypted?: boolean } = {}): ReadReply {
  if (body === 'success') return { kind: 'late' };
  if (body === '') return { kind: 'none' };
  const outer = parseXml(body);
  const encrypt = leaf(outer, 'Encrypt');
  let xml = body;
  if (encrypt !== undefined) {
    const ts = leaf(outer, 'TimeStamp') ?? '';
    const nonce = leaf(outer, 'Nonce') ?? '';
    if (!signatureMatches(leaf(outer, 'MsgSignature'), msgSignature(creds.token, ts, nonce, encrypt))) {
      throw new ReplyError('reply MsgSignature does not match');
    }
    xml = decryptMessage(creds.aesKey, encrypt, creds.receiveId);
  } else if (opts.expectEncrypted) {
    throw new ReplyError('expected an encrypted reply envelope');
  }
  const fields = parseXml(xml);
  const text = leaf(fields, 'MsgType') === 'text' ? leaf(fields, 'Content') : undefined;
  return { kind: 'reply', xml, fields, encrypted: encrypt !== undefined, ...(text !== undefined ? { text } : {}) };
}

/** A reply as a human reads it (news items as title, description and link). */
export function replyText(reply: ReadReply): string {
  if (reply.kind === 'late') return '(answered later via the API)';
  if (reply.kind === 'none') return '(no reply)';
  if (reply.text !== undefined) return reply.text;
  const articles = reply.fields['Articles'];
  if (articles && typeof articles === 'object' && !Array.isArray(articles)) {
    const items = ([] as unknown[]).concat(articles['item'] ?? []) as XmlRecord[];
    return items.map((i) => [leaf(i, 'Title'), leaf(i, 'Description'), leaf(i, 'Url')].filter(Boolean).join('\n')).join('\n\n');
  }
  return `(${leaf(reply.fields, 'MsgType') ?? 'unknown'} reply)`;
}
