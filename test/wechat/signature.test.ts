import { createHash } from 'node:crypto';
import { getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { msgSignature, plainSignature, safeEqual, signatureMatches } from '../../bot/wechat/index.js';

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe('signatures', () => {
  it('sorts as strings, not numbers', () => {
    // Numerically 9 < 10 < 123; as strings "10" < "123" < "9".
    expect(plainSignature('9', '10', '123')).toBe(sha1('101239'));
    expect(plainSignature('tok', '1409735669', '1320562132')).toBe(plainSignature('1320562132', 'tok', '1409735669'));
  });

  it('msg_signature agrees with @wecom/crypto getSignature', () => {
    const encrypt = 'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+Lr==';
    expect(msgSignature('spamtest', '1409735669', '1320562132', encrypt)).toBe(getSignature('spamtest', '1409735669', '1320562132', encrypt));
  });
});

describe('safeEqual / signatureMatches', () => {
  it('compares strings of any length without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('never matches a missing or non-string value', () => {
    const sig = plainSignature('t', '1', '2');
    expect(signatureMatches(undefined, sig)).toBe(false);
    expect(signatureMatches([sig], sig)).toBe(false);
    expect(signatureMatches('', sig)).toBe(false);
    expect(signatureMatches(sig.toUpperCase(), sig)).toBe(true);
  });
});
