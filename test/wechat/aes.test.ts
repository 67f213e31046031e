import { createCipheriv } from 'node:crypto';
import * as wecom from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { CodecError, decryptMessage, decryptPayload, encryptMessage } from '../../bot/wechat/index.js';
import { codeOf } from '../support/codec.js';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP = 'wx2c2769f8efd9abc2';
const RANDOM = Buffer.from('0123456789abcdef', 'latin1');

/** Encrypt an arbitrary, already padded plaintext: lets tests forge broken layouts. */
function rawEncrypt(plain: Buffer): string {
  const key = Buffer.from(`${KEY}=`, 'base64');
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

function layout(msg: string, id: string, lenOverride?: number): Buffer {
  const m = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(lenOverride ?? m.length, 0);
  return Buffer.concat([RANDOM, len, m, Buffer.from(id)]);
}

describe('encryptMessage / decryptMessage', () => {
  it('round-trips and pads to a multiple of 32 bytes', () => {
    for (let n = 0; n < 70; n++) {
      const xml = 'x'.repeat(n);
      const enc = encryptMessage(KEY, xml, APP);
      expect(Buffer.from(enc, 'base64').length % 32).toBe(0);
      expect(decryptMessage(KEY, enc, APP)).toBe(xml);
    }
  });

  it('round-trips 10,000 Chinese characters (length field counts bytes)', () => {
    const text = '邻'.repeat(10_000);
    expect(Buffer.byteLength(text)).toBe(30_000);
    const enc = encryptMessage(KEY, text, APP, RANDOM);
    expect(decryptPayload(KEY, enc)).toEqual({ random: RANDOM, message: text, receiveId: APP });
  });

  it('is deterministic with a fixed random', () => {
    expect(encryptMessage(KEY, '<xml/>', APP, RANDOM)).toBe(encryptMessage(KEY, '<xml/>', APP, RANDOM));
    expect(encryptMessage(KEY, '<xml/>', APP)).not.toBe(encryptMessage(KEY, '<xml/>', APP));
  });
});

describe('interoperates with @wecom/crypto', () => {
  it('decrypts what @wecom/crypto encrypts', () => {
    const enc = wecom.encrypt(KEY, '<xml>你好</xml>', APP);
    expect(decryptMessage(KEY, enc, APP)).toBe('<xml>你好</xml>');
  });

  it('@wecom/crypto decrypts what we encrypt, byte-identical with the same random', () => {
    const ours = encryptMessage(KEY, '<xml>你好</xml>', APP, RANDOM);
    expect(ours).toBe(wecom.encrypt(KEY, '<xml>你好</xml>', APP, RANDOM));
    expect(wecom.decrypt(KEY, ours)).toMatchObject({ message: '<xml>你好</xml>', id: APP });
  });

  it('is why we do not wrap it: its decrypt accepts bad padding silently', () => {
    const body = layout('<xml/>', APP); // 44 bytes, then 20 zero bytes where the padding goes
    const forged = rawEncrypt(Buffer.concat([body, Buffer.alloc(64 - body.length, 0)]));
    expect(wecom.decrypt(KEY, forged).message).toBe('<xml/>');
    expect(codeOf(() => decryptPayload(KEY, forged))).toBe('bad_padding');
  });
});

describe('strict decryption', () => {
  it('rejects invalid base64', () => {
    expect(codeOf(() => decryptMessage(KEY, 'not*base64!!', APP))).toBe('bad_ciphertext');
    expect(codeOf(() => decryptMessage(KEY, '', APP))).toBe('bad_ciphertext');
  });

  it('rejects truncated ciphertext (not whole AES blocks)', () => {
    const data = Buffer.from(encryptMessage(KEY, '<xml>hello</xml>', APP), 'base64');
    expect(codeOf(() => decryptMessage(KEY, data.subarray(0, data.length - 5).toString('base64'), APP))).toBe('bad_ciphertext');
    expect(codeOf(() => decryptMessage(KEY, data.subarray(0, 16).toString('base64'), APP))).toBe('bad_ciphertext');
  });

  it('rejects a pad byte of 0', () => {
    const plain = Buffer.concat([layout('<xml/>', APP), Buffer.alloc(64)]).subarray(0, 64);
    expect(codeOf(() => decryptMessage(KEY, rawEncrypt(plain), APP))).toBe('bad_padding');
  });

  it('rejects a pad byte above 32', () => {
    const body = layout('<xml/>', APP); // 44 bytes
    const plain = Buffer.concat([body, Buffer.alloc(64 - body.length, 33)]);
    expect(codeOf(() => decryptMessage(KEY, rawEncrypt(plain), APP))).toBe('bad_padding');
  });

  it('rejects inconsistent padding bytes', () => {
    const body = layout('<xml/>', APP);
    const pad = Buffer.alloc(64 - body.length, 64 - body.length);
    pad[0] = 1;
    expect(codeOf(() => decryptMessage(KEY, rawEncrypt(Buffer.concat([body, pad])), APP))).toBe('bad_padding');
  });

  it('rejects a length field beyond the buffer', () => {
    const body = layout('<xml/>', APP, 9999);
    const plain = Buffer.concat([body, Buffer.alloc(64 - body.length, 64 - body.length)]);
    expect(codeOf(() => decryptMessage(KEY, rawEncrypt(plain), APP))).toBe('bad_ciphertext');
  });

  it('rejects a payload encrypted for another app id', () => {
    const enc = encryptMessage(KEY, '<xml/>', 'wxOTHERAPP0000000');
    expect(codeOf(() => decryptMessage(KEY, enc, APP))).toBe('wrong_app_id');
  });

  it('rejects a ciphertext made with another key (garbage plaintext)', () => {
    const enc = encryptMessage('ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', '<xml/>', APP, RANDOM);
    expect(codeOf(() => decryptMessage(KEY, enc, APP))).toBe('bad_padding');
  });

  it('reports a bad EncodingAESKey as our configuration error (500)', () => {
    let err: unknown;
    try {
      encryptMessage('short', '<xml/>', APP);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('bad_aes_key');
    expect((err as CodecError).status).toBe(500);
  });
});
