/**
 * Published vectors from Tencent's samples and from two widely used libraries. If one of
 * these fails, our codec disagrees with WeChat itself, whatever the round-trip tests say.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decryptMessage,
  decryptPayload,
  encryptEnvelope,
  encryptMessage,
  msgSignature,
  plainSignature,
  verifyUrl,
} from '../../bot/wechat/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/wechat/${name}`, import.meta.url), 'utf8');

// Official WeCom WXBizMsgCrypt sample: github.com/sbzhu/weworkapi_python callback/Sample.py
// (commit 27220fb). Also the source of the WeCom notes in docs/wechat-protocol.md §2.2.
const WECOM = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  aesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
};

/** The URL handshake query of the official WeCom sample. */
const WECOM_URL_CHECK = {
  msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
  timestamp: '1476416373',
  nonce: '47744683',
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
};

describe('WeCom official sample (sbzhu/weworkapi_python callback/Sample.py)', () => {
  it('verifies the URL handshake and answers the documented echostr plaintext', () => {
    const query = WECOM_URL_CHECK;
    expect(verifyUrl({ mode: 'wecom', query, token: WECOM.token, aesKey: WECOM.aesKey, receiveId: WECOM.corpId })).toBe('1288432023552776189');
  });

  it('still verifies when a proxy decoded the unescaped + of echostr into spaces', () => {
    const query = { ...WECOM_URL_CHECK, echostr: WECOM_URL_CHECK.echostr.replaceAll('+', ' ') };
    expect(verifyUrl({ mode: 'wecom', query, token: WECOM.token, aesKey: WECOM.aesKey, receiveId: WECOM.corpId })).toBe('1288432023552776189');
  });

  it('decrypts the sample POST to the documented plaintext', () => {
    const body =
      '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>';
    const query = { msg_signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e', timestamp: '1476422779', nonce: '1597212914' };
    const out = decodeRequest({
      mode: 'wecom',
      query,
      body,
      token: WECOM.token,
      aesKey: WECOM.aesKey,
      receiveId: WECOM.corpId,
      nowSeconds: 1476422780,
      toleranceS: 300,
    });
    // The sample's sRespData, which is what this ciphertext holds.
    expect(out.rawXml).toBe(fixture('wecom-text.xml').trimEnd());
    expect(out.encrypted).toBe(true);
    expect(out.inbound).toEqual({
      type: 'text',
      content: '你好',
      toUser: 'ww1436e0e65a779aee',
      fromUser: 'ChenJiaShun',
      createTime: 1476422779,
      msgId: '1456453720',
      agentId: '1000002',
      dedupKey: 'msg:ChenJiaShun:1456453720',
    });
  });
});

// wechatpy tests/test_crypto.py (github.com/wechatpy/wechatpy @95743c7): the WeCom crypto
// with the random string mocked to "1234567890123456"; the whole envelope is pinned.
describe('wechatpy fixed-random envelope (tests/test_crypto.py)', () => {
  const token = '123456';
  const aesKey = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
  const corpId = 'wx49f0ab532d5d035a';
  const reply =
    '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>';
  const expected =
    '<xml>\n<Encrypt><![CDATA[9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3]]></Encrypt>\n<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>\n<TimeStamp>1411525903</TimeStamp>\n<Nonce><![CDATA[461056294]]></Nonce>\n</xml>';

  it('encrypts to the published envelope byte for byte', () => {
    const random = Buffer.from('1234567890123456', 'latin1');
    expect(encryptEnvelope({ token, encodingAESKey: aesKey, receiveId: corpId, xml: reply, timestamp: '1411525903', nonce: '461056294', random })).toBe(
      expected,
    );
  });

  it('checks the published check_signature vector', () => {
    const echo = '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==';
    expect(msgSignature(token, '1411443780', '437374425', echo)).toBe('dd6b9c95b495b3f7e2901bfbc76c664930ffdb96');
    expect(decryptPayload(aesKey, echo).receiveId).toBe(corpId);
  });
});

// EasyWeChat tests/Kernel/EncryptorTest.php (github.com/w7corp/easywechat @7a93b80): an OA
// (safe-mode) ciphertext for AppID wxb11529c136998cb6. Its 16 random bytes are recovered by
// decrypting; encrypting the same plaintext with that random must give back the published
// ciphertext exactly (which also proves we pad to 32 like WeChat does).
describe('EasyWeChat OA vector (tests/Kernel/EncryptorTest.php)', () => {
  const token = 'pamtest';
  const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const appId = 'wxb11529c136998cb6';
  const encrypt =
    'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==';

  it('verifies msg_signature and decrypts', () => {
    expect(msgSignature(token, '1458300676', '260774613', encrypt)).toBe('4f3ad57b6989f09f4eb392acce4f9e93942ed890');
    const xml = decryptMessage(aesKey, encrypt, appId);
    expect(xml).toContain('<Content><![CDATA[hello]]></Content>');
  });

  it('encrypts with the same random to the published ciphertext', () => {
    const { random, message } = decryptPayload(aesKey, encrypt);
    expect(random.toString('latin1')).toBe('d43123b161a4ba84');
    expect(encryptMessage(aesKey, message, appId, random)).toBe(encrypt);
  });

  it('decodes a safe-mode push end to end', () => {
    const timestamp = '1458300676';
    const nonce = '260774613';
    const query = {
      signature: plainSignature(token, timestamp, nonce),
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: '4f3ad57b6989f09f4eb392acce4f9e93942ed890',
    };
    const body = `<xml>\n    <ToUserName><![CDATA[asdasdasd]]></ToUserName>\n    <Encrypt><![CDATA[${encrypt}]]></Encrypt>\n</xml>\n`;
    const out = decodeRequest({ mode: 'oa', query, body, token, aesKey, receiveId: appId, nowSeconds: 1458300676, toleranceS: 300 });
    expect(out.inbound).toMatchObject({ type: 'text', content: 'hello', fromUser: 'asdasdasdsadasd', createTime: 1234567898, msgId: '12345' });
  });
});

// The official OA WXBizMsgCrypt Python sample (Tencent, 2014; copied verbatim in e.g.
// github.com/charlesXu86/Chatbot_CN Chatbot_Web/impl/weixin/Sample.py): a compatible-mode
// body (plaintext fields *and* Encrypt) for AppID wx2c2769f8efd9abc2.
describe('official OA sample, compatible mode (WXBizMsgCrypt Sample.py)', () => {
  const token = 'spamtest';
  const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const appId = 'wx2c2769f8efd9abc2';
  const timestamp = '1409735669';
  const nonce = '1320562132';
  const encrypt =
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
  const query = {
    signature: '16120ec1b8dbb870f510d87ce6bc2463eae6ca1a',
    timestamp,
    nonce,
    encrypt_type: 'aes',
    msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
    openid: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
  };

  it('plain signature of the sample query', () => {
    expect(plainSignature(token, timestamp, nonce)).toBe('16120ec1b8dbb870f510d87ce6bc2463eae6ca1a');
  });

  it('uses the decrypted fields, not the plaintext copies', () => {
    // Tamper with the plaintext copy: only the authenticated ciphertext may count.
    const body = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oATTACKER]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[forged]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const out = decodeRequest({ mode: 'oa', query, body, token, aesKey, receiveId: appId, nowSeconds: 1409735669, toleranceS: 300 });
    expect(out.encrypted).toBe(true);
    expect(out.inbound).toMatchObject({ type: 'text', content: 'abcdteT', fromUser: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', msgId: '6054768590064713728' });
  });

  it('re-encrypts to the published ciphertext with the recovered random', () => {
    const { random, message } = decryptPayload(aesKey, encrypt);
    expect(encryptMessage(aesKey, message, appId, random)).toBe(encrypt);
  });
});

// wechatpy tests/test_utils.py (github.com/wechatpy/wechatpy): check_signature vector.
it('plain signature matches wechatpy check_signature vector', () => {
  expect(plainSignature('test', '1410685589', 'test')).toBe('f21891de399b4e33a1a93c9a7b8a8fffb5a443ff');
});
