/**
 * The AES scheme shared by OA, the open platform and WeCom (protocol notes §4):
 * AES-256-CBC, key = base64(EncodingAESKey + "="), IV = key[0:16], PKCS#7 to a multiple of
 * 32 bytes, plaintext = random(16) | msg_len(4, big-endian, bytes) | msg (UTF-8) | receiveid.
 *
 * Implemented on node:crypto rather than wrapping @wecom/crypto: its `decrypt` returns the
 * buffer unchanged on a bad pad byte, never checks the padding bytes, the block alignment,
 * the length field or the base64, and leaves the receiveid check to the caller (see
 * test/wechat/aes.test.ts, which pins that and checks both directions interoperate).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from '../random-pool.js';
import { CodecError } from './errors.js';

const BLOCK = 32; // §4.4: pad to 32, not AES's 16.
const RANDOM_BYTES = 16;
const HEADER = RANDOM_BYTES + 4;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode and validate an EncodingAESKey (§4.1–4.2); a bad key is our misconfiguration (500). */
export function aesKeyFromEncodingKey(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new CodecError('bad_aes_key', 'EncodingAESKey must be 43 letters or digits');
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new CodecError('bad_aes_key', 'EncodingAESKey does not decode to 32 bytes');
  return key;
}

/**
 * Encrypt one message (reply XML, or anything else) for `receiveId` (OA AppID / WeCom
 * CorpID). `random` (16 bytes) is only for deterministic tests; production leaves it out.
 * Returns the base64 `Encrypt` value.
 */
export function encryptMessage(encodingAESKey: string, xml: string, receiveId: string, random?: Buffer): string {
  const key = aesKeyFromEncodingKey(encodingAESKey);
  const rnd = random ?? pooledRandomBytes(RANDOM_BYTES);
  if (rnd.length !== RANDOM_BYTES) throw new TypeError('random must be exactly 16 bytes');
  const msg = Buffer.from(xml, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0); // §4.8: the length counts bytes, not characters.
  const body = Buffer.concat([rnd, len, msg, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (body.length % BLOCK); // 1..32; a full block when already aligned.
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** What a ciphertext holds, before the receiveid is checked. */
export interface DecryptedPayload {
  random: Buffer;
  message: string;
  receiveId: string;
}

/**
 * Decrypt and strictly unpack a base64 `Encrypt` value without checking the receiveid.
 * Prefer {@link decryptMessage}; this exists for tests and multi-tenant callers.
 * @throws CodecError `bad_ciphertext`, `bad_padding`, `bad_aes_key`
 */
export function decryptPayload(encodingAESKey: string, base64: string): DecryptedPayload {
  const key = aesKeyFromEncodingKey(encodingAESKey);
  const b64 = base64.trim();
  if (b64.length === 0 || b64.length % 4 !== 0 || !BASE64.test(b64)) {
    throw new CodecError('bad_ciphertext', 'ciphertext is not valid base64');
  }
  const data = Buffer.from(b64, 'base64');
  // Whole AES blocks only (a truncated body fails here), and at least one 32-byte padded block.
  if (data.length < BLOCK || data.length % 16 !== 0) {
    throw new CodecError('bad_ciphertext', 'ciphertext is truncated or not whole AES blocks');
  }
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);

  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw new CodecError('bad_padding', 'padding byte out of range');
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new CodecError('bad_padding', 'padding bytes disagree');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < HEADER) throw new CodecError('bad_ciphertext', 'plaintext shorter than its header');
  const msgLen = content.readUInt32BE(RANDOM_BYTES);
  if (msgLen > content.length - HEADER) throw new CodecError('bad_ciphertext', 'length field beyond the buffer');
  try {
    return {
      random: Buffer.from(content.subarray(0, RANDOM_BYTES)),
      message: utf8.decode(content.subarray(HEADER, HEADER + msgLen)),
      receiveId: utf8.decode(content.subarray(HEADER + msgLen)),
    };
  } catch (cause) {
    throw new CodecError('bad_ciphertext', 'plaintext is not valid UTF-8', { cause });
  }
}

/**
 * Decrypt a base64 `Encrypt` value and check that its receiveid trailer equals
 * `expectedReceiveId` (OA AppID, WeCom CorpID — not the AgentID), as §4.7 requires.
 * @throws CodecError `bad_ciphertext`, `bad_padding`, `wrong_app_id`, `bad_aes_key`
 */
export function decryptMessage(encodingAESKey: string, base64: string, expectedReceiveId: string): string {
  const { message, receiveId } = decryptPayload(encodingAESKey, base64);
  if (receiveId !== expectedReceiveId) throw new CodecError('wrong_app_id', 'ciphertext is for another app');
  return message;
}
