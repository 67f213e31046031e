import { describe, expect, it } from 'vitest';
import { sendSlots } from '../../../handlers/broadcast/slots.js';

describe('send slots', () => {
  it('hands out n at once, then serves urgent waiters before normal ones, each in arrival order', async () => {
    const slots = sendSlots(2);
    const held = [await slots.acquire(false), await slots.acquire(false)];
    const order: string[] = [];
    const wait = (name: string, urgent: boolean) =>
      slots.acquire(urgent).then((release) => {
        order.push(name);
        return release;
      });
    const n1 = wait('normal-1', false);
    const u1 = wait('urgent-1', true);
    const n2 = wait('normal-2', false);
    const u2 = wait('urgent-2', true);
    held[0]!();
    held[1]!();
    (await u1)();
    (await u2)();
    await Promise.all([n1, n2]);
    expect(order).toEqual(['urgent-1', 'urgent-2', 'normal-1', 'normal-2']);
  });

  it('a slot released twice is given back once', async () => {
    const slots = sendSlots(1);
    const release = await slots.acquire(false);
    release();
    release();
    await slots.acquire(false);
    let second = false;
    void slots.acquire(false).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
  });
});
