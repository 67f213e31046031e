import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../bot/random-pool.js';

describe('pooledRandomBytes', () => {
  it('gives the length asked for, never the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = pooledRandomBytes(16);
      expect(b.length).toBe(16);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('hands out copies: changing one caller’s bytes changes no later caller’s', () => {
    const a = pooledRandomBytes(12);
    a.fill(0);
    const b = pooledRandomBytes(12);
    expect(b.equals(Buffer.alloc(12))).toBe(false);
    expect(a.buffer === b.buffer && a.byteOffset === b.byteOffset).toBe(false);
  });

  it('serves a large request straight from the CSPRNG', () => {
    expect(pooledRandomBytes(5000).length).toBe(5000);
  });
});
