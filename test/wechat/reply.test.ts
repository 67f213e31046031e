import { readFileSync } from 'node:fs';
import * as wecom from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import {
  type CodecError,
  decodeRequest,
  encodeReply,
  encryptEnvelope,
  encodeResponse,
  encryptMessage,
  msgSignature,
  openEnvelope,
  parseXml,
  plainSignature,
  verifyUrl,
  type DecodeRequestInput,
  type OutboundReply,
} from '../../bot/wechat/index.js';
import { codeOf } from '../support/codec.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/wechat/${name}`, import.meta.url), 'utf8');

const TOKEN = 'linliToken2024';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const CORP_ID = 'ww1436e0e65a779aee';
const NOW = 1_700_000_100;
const TS = String(NOW - 2);
const NONCE = '1320562132';

const signed = (extra: Record<string, string> = {}, ts = TS) => ({
  signature: plainSignature(TOKEN, ts, NONCE),
  timestamp: ts,
  nonce: NONCE,
  openid: 'oUser0001',
  ...extra,
});

/** Build a push as WeChat would send it, in one of the modes of protocol notes §3. */
type Push = DecodeRequestInput & { query: Record<string, string> };
function push(mode: 'plain' | 'safe' | 'compatible' | 'wecom', xml: string, opts: { ts?: string; receiveId?: string; encrypt?: string } = {}): Push {
  const ts = opts.ts ?? TS;
  const encrypt = opts.encrypt ?? encryptMessage(KEY, xml, opts.receiveId ?? (mode === 'wecom' ? CORP_ID : APP_ID));
  const msg_signature = msgSignature(TOKEN, ts, NONCE, encrypt);
  const common = { token: TOKEN, aesKey: KEY, nowSeconds: NOW, toleranceS: 300 };
  if (mode === 'plain') return { ...common, mode: 'oa', receiveId: APP_ID, query: signed({}, ts), body: xml };
  if (mode === 'wecom') {
    const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    return { ...common, mode: 'wecom', receiveId: CORP_ID, query: { msg_signature, timestamp: ts, nonce: NONCE }, body };
  }
  const inner = mode === 'compatible' ? xml.replace(/<\/xml>\s*$/, '') : '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>';
  const body = `${inner}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return { ...common, mode: 'oa', receiveId: APP_ID, query: signed({ encrypt_type: 'aes', msg_signature }, ts), body };
}

/** Open a response body the way WeChat would, returning the reply's fields. */
function readResponse(body: string, receiveId: string) {
  const env = parseXml(body);
  if (env['Encrypt'] === undefined) return parseXml(body);
  const query = { msg_signature: env['MsgSignature'], timestamp: env['TimeStamp'], nonce: env['Nonce'] };
  const xml = openEnvelope({ token: TOKEN, encodingAESKey: KEY, receiveId, query, encrypt: env['Encrypt'] as string });
  // And what the reference library makes of it.
  expect(wecom.decrypt(KEY, env['Encrypt'] as string)).toMatchObject({ message: xml, id: receiveId });
  return parseXml(xml);
}

describe('round trips in every mode', () => {
  const modes = ['plain', 'safe', 'compatible', 'wecom'] as const;
  const text = fixture('text.xml');

  for (const mode of modes) {
    it(`${mode}: decode, reply, and the reply opens`, () => {
      const req = push(mode, text);
      const out = decodeRequest(req);
      expect(out.encrypted).toBe(mode !== 'plain');
      expect(out.rawXml).toBe(text);
      expect(out.inbound).toMatchObject({ type: 'text', msgId: '6054768590064713728' });
      const body = encodeResponse({
        reply: { type: 'text', content: '收到，志愿者马上联系您' },
        request: out,
        token: TOKEN,
        aesKey: KEY,
        receiveId: req.receiveId,
        nowSeconds: NOW,
        nonce: NONCE,
      });
      expect(readResponse(body, req.receiveId)).toEqual({
        ToUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
        FromUserName: 'gh_10f6c3c3ac5a',
        CreateTime: String(NOW),
        MsgType: 'text',
        Content: '收到，志愿者马上联系您',
      });
    });

    it(`${mode}: 10,000 Chinese characters in and out`, () => {
      const content = '社区互助'.repeat(2_500);
      const xml = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>1</MsgId></xml>`;
      const req = push(mode, xml);
      const out = decodeRequest(req);
      expect(out.inbound).toMatchObject({ type: 'text', content });
      const body = encodeResponse({
        reply: { type: 'text', content },
        request: out,
        token: TOKEN,
        aesKey: KEY,
        receiveId: req.receiveId,
        nowSeconds: NOW,
        nonce: NONCE,
      });
      expect(readResponse(body, req.receiveId)['Content']).toBe(content);
    });
  }

  it('an unknown message type decodes to unknown', () => {
    expect(decodeRequest(push('safe', fixture('unknown-msgtype.xml'))).inbound).toMatchObject({ type: 'unknown', msgType: 'miniprogrampage' });
  });

  it('no reply is an empty body in every mode', () => {
    const out = decodeRequest(push('wecom', fixture('wecom-text.xml')));
    expect(encodeResponse({ reply: null, request: out, token: TOKEN, aesKey: KEY, receiveId: CORP_ID, nowSeconds: NOW, nonce: NONCE })).toBe('');
  });
});

describe('rejections, each with its code', () => {
  const text = fixture('text.xml');

  it('wrong signature', () => {
    const req = push('plain', text);
    expect(codeOf(() => decodeRequest({ ...req, query: { ...req.query, signature: 'f'.repeat(40) } }))).toBe('bad_signature');
  });

  it('missing signature', () => {
    const { signature: _s, ...query } = push('plain', text).query;
    expect(codeOf(() => decodeRequest({ ...push('plain', text), query }))).toBe('bad_signature');
  });

  it('repeated signature parameter', () => {
    const req = push('plain', text);
    expect(codeOf(() => decodeRequest({ ...req, query: { ...req.query, signature: [req.query.signature, req.query.signature] } }))).toBe('bad_signature');
  });

  it('safe mode: valid signature but wrong msg_signature', () => {
    const req = push('safe', text);
    expect(codeOf(() => decodeRequest({ ...req, query: { ...req.query, msg_signature: '0'.repeat(40) } }))).toBe('bad_signature');
  });

  it('safe mode: missing msg_signature', () => {
    const { msg_signature: _m, ...query } = push('safe', text).query;
    expect(codeOf(() => decodeRequest({ ...push('safe', text), query }))).toBe('bad_signature');
  });

  it('WeCom: wrong msg_signature', () => {
    const req = push('wecom', text);
    expect(codeOf(() => decodeRequest({ ...req, query: { ...req.query, msg_signature: '0'.repeat(40) } }))).toBe('bad_signature');
  });

  it('stale timestamp', () => {
    expect(codeOf(() => decodeRequest(push('plain', text, { ts: String(NOW - 301) })))).toBe('stale_timestamp');
    expect(codeOf(() => decodeRequest(push('wecom', text, { ts: String(NOW - 301) })))).toBe('stale_timestamp');
  });

  it('future timestamp', () => {
    expect(codeOf(() => decodeRequest(push('safe', text, { ts: String(NOW + 301) })))).toBe('stale_timestamp');
  });

  it('tolerance 0 turns the timestamp check off', () => {
    expect(codeOf(() => decodeRequest({ ...push('plain', text, { ts: '1409735669' }), toleranceS: 0 }))).toBe('no error');
  });

  it('malformed XML', () => {
    expect(codeOf(() => decodeRequest(push('plain', '<xml><ToUserName>gh</FromUserName></xml>')))).toBe('malformed_xml');
    expect(codeOf(() => decodeRequest(push('safe', '<xml><ToUserName>gh</FromUserName></xml>')))).toBe('malformed_xml');
  });

  it('safe mode without an Encrypt element', () => {
    const req = push('safe', text);
    expect(codeOf(() => decodeRequest({ ...req, body: '<xml><ToUserName>gh_1</ToUserName></xml>' }))).toBe('malformed_xml');
  });

  it('DOCTYPE with an internal entity bomb', () => {
    const bomb = `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${text.replace('楼下停水了', '&c;')}`;
    expect(codeOf(() => decodeRequest(push('plain', bomb)))).toBe('forbidden_doctype');
    expect(codeOf(() => decodeRequest(push('wecom', bomb)))).toBe('forbidden_doctype');
  });

  it('external entity (SYSTEM file:///etc/passwd)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`;
    expect(codeOf(() => decodeRequest(push('plain', xxe)))).toBe('forbidden_doctype');
    expect(codeOf(() => decodeRequest(push('safe', xxe)))).toBe('forbidden_doctype');
  });

  it('empty body', () => {
    expect(codeOf(() => decodeRequest({ ...push('plain', text), body: '' }))).toBe('empty_body');
    expect(codeOf(() => decodeRequest({ ...push('wecom', text), body: '' }))).toBe('empty_body');
  });

  it('body too large', () => {
    expect(codeOf(() => decodeRequest({ ...push('plain', text), maxBodyBytes: 100 }))).toBe('body_too_large');
  });

  it('encrypted payload for another app id (correctly signed)', () => {
    expect(codeOf(() => decodeRequest(push('safe', text, { receiveId: 'wxOTHERAPP00000000' })))).toBe('wrong_app_id');
    expect(codeOf(() => decodeRequest(push('wecom', text, { receiveId: 'wwOTHERCORP0000000' })))).toBe('wrong_app_id');
  });

  it('truncated ciphertext (correctly signed)', () => {
    const full = Buffer.from(encryptMessage(KEY, text, APP_ID), 'base64');
    const encrypt = full.subarray(0, full.length - 7).toString('base64');
    expect(codeOf(() => decodeRequest(push('safe', text, { encrypt })))).toBe('bad_ciphertext');
  });

  it('bad padding (correctly signed)', () => {
    // Drop the last block: the new last byte is ciphertext garbage, not a valid pad run.
    const full = Buffer.from(encryptMessage(KEY, text, CORP_ID, Buffer.alloc(16, 7)), 'base64');
    const encrypt = full.subarray(0, full.length - 16).toString('base64');
    expect(codeOf(() => decodeRequest(push('wecom', text, { encrypt })))).toBe('bad_padding');
  });

  it('plaintext push refused when encryption is required', () => {
    expect(codeOf(() => decodeRequest({ ...push('plain', text), requireEncrypted: true }))).toBe('encryption_required');
    expect(codeOf(() => decodeRequest({ ...push('safe', text), requireEncrypted: true }))).toBe('no error');
  });

  it('unknown encrypt_type', () => {
    const req = push('plain', text);
    expect(codeOf(() => decodeRequest({ ...req, query: { ...req.query, encrypt_type: 'rsa' } }))).toBe('bad_query');
  });

  it('encrypted push without a configured key is our 500', () => {
    const { aesKey: _k, ...req } = push('safe', text);
    expect(codeOf(() => decodeRequest(req))).toBe('bad_aes_key');
  });

  it('statuses come from the catalogue', () => {
    const status = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as CodecError).status;
      }
      return 200;
    };
    expect(status(() => decodeRequest({ ...push('plain', text), body: '<xml>' }))).toBe(400);
    expect(status(() => decodeRequest(push('safe', text, { receiveId: 'wxOTHER' })))).toBe(401);
    expect(status(() => decodeRequest(push('plain', text, { ts: '1' })))).toBe(401);
  });
});

describe('verifyUrl', () => {
  it('OA: returns echostr unchanged', () => {
    expect(verifyUrl({ mode: 'oa', query: signed({ echostr: '7218937109301234' }), token: TOKEN, receiveId: APP_ID })).toBe('7218937109301234');
  });

  it('OA: wrong signature', () => {
    expect(codeOf(() => verifyUrl({ mode: 'oa', query: { ...signed({ echostr: '1' }), signature: 'x' }, token: TOKEN, receiveId: APP_ID }))).toBe(
      'bad_signature',
    );
  });

  it('OA: missing echostr', () => {
    expect(codeOf(() => verifyUrl({ mode: 'oa', query: signed(), token: TOKEN, receiveId: APP_ID }))).toBe('bad_query');
  });

  it('OA: stale handshake when a tolerance is given', () => {
    expect(
      codeOf(() => verifyUrl({ mode: 'oa', query: signed({ echostr: '1' }), token: TOKEN, receiveId: APP_ID, nowSeconds: NOW + 1000, toleranceS: 300 })),
    ).toBe('stale_timestamp');
  });

  const wecomQuery = (receiveId: string) => {
    const echostr = encryptMessage(KEY, '1616140317555161061', receiveId);
    return { msg_signature: msgSignature(TOKEN, TS, NONCE, echostr), timestamp: TS, nonce: NONCE, echostr };
  };

  it('WeCom: decrypts echostr', () => {
    expect(verifyUrl({ mode: 'wecom', query: wecomQuery(CORP_ID), token: TOKEN, aesKey: KEY, receiveId: CORP_ID })).toBe('1616140317555161061');
  });

  it('WeCom: echostr for another corp', () => {
    expect(codeOf(() => verifyUrl({ mode: 'wecom', query: wecomQuery('wwSOMEONEELSE00000'), token: TOKEN, aesKey: KEY, receiveId: CORP_ID }))).toBe(
      'wrong_app_id',
    );
  });

  it('WeCom: wrong msg_signature', () => {
    const query = { ...wecomQuery(CORP_ID), msg_signature: 'a'.repeat(40) };
    expect(codeOf(() => verifyUrl({ mode: 'wecom', query, token: TOKEN, aesKey: KEY, receiveId: CORP_ID }))).toBe('bad_signature');
  });
});

describe('encodeReply', () => {
  const to = { toUser: 'oUser0001', fromUser: 'gh_10f6c3c3ac5a', createTime: 1700000000 };
  const article = (i: number) => ({ title: `T${i}`, description: `D${i}`, url: `https://example.org/${i}` });
  const news = (n: number): OutboundReply => ({ type: 'news', articles: Array.from({ length: n }, (_, i) => article(i)) });

  it('text', () => {
    expect(encodeReply({ type: 'text', content: '你好' }, to)).toBe(
      '<xml><ToUserName><![CDATA[oUser0001]]></ToUserName><FromUserName><![CDATA[gh_10f6c3c3ac5a]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>',
    );
  });

  it('news: one article when replying to a user message (the default)', () => {
    const f = parseXml(encodeReply(news(3), to));
    expect(f).toMatchObject({
      MsgType: 'news',
      ArticleCount: '1',
      Articles: { item: { Title: 'T0', Description: 'D0', PicUrl: '', Url: 'https://example.org/0' } },
    });
  });

  it('news: up to eight otherwise', () => {
    const f = parseXml(encodeReply(news(10), to, { inReplyToUserMessage: false }));
    expect(f['ArticleCount']).toBe('8');
    expect((f['Articles'] as { item: unknown[] }).item).toHaveLength(8);
  });

  it('encodeResponse caps news by the inbound kind', () => {
    const evt = decodeRequest(push('plain', fixture('event-click.xml')));
    const body = encodeResponse({ reply: news(3), request: evt, token: TOKEN, receiveId: APP_ID, nowSeconds: NOW, nonce: NONCE });
    expect(parseXml(body)['ArticleCount']).toBe('3');
  });

  it('refuses an envelope nonce that would need escaping', () => {
    expect(codeOf(() => encryptEnvelope({ token: TOKEN, encodingAESKey: KEY, receiveId: APP_ID, xml: '<xml/>', timestamp: NOW, nonce: ']]><x>' }))).toBe(
      'bad_reply',
    );
  });

  it('refuses empty text and news without articles', () => {
    expect(codeOf(() => encodeReply({ type: 'text', content: '' }, to))).toBe('bad_reply');
    expect(codeOf(() => encodeReply(news(0), to))).toBe('bad_reply');
  });
});
