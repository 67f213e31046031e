import { describe, expect, it } from 'vitest';
import { createLogger, maskMobiles } from '../../bot/log.js';

/** A logger writing JSON lines to memory; `lines()` parses them, `raw()` is the exact output. */
function memoryLogger(level = 'trace') {
  const chunks: string[] = [];
  const log = createLogger(level, { write: (s: string) => void chunks.push(s) });
  return { log, raw: () => chunks.join(''), lines: () => chunks.map((c) => JSON.parse(c) as Record<string, any>) };
}

describe('maskMobiles', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['call 19912345678 or 15500001111.', 'call 199****5678 or 155****1111.'],
    ['电话：17712345678。', '电话：177****5678。'],
    ['+8613812345678', '+86138****5678'],
    ['+86 13812345678', '+86 138****5678'],
  ])('masks %s', (input, masked) => {
    expect(maskMobiles(input)).toBe(masked);
  });

  it.each([
    ['12345678901', 'second digit 2 is not a mobile prefix'],
    ['138123456789', '12 digits: part of a longer number'],
    ['1381234567', '10 digits'],
    ['order 213812345678', 'embedded in a longer number'],
    ['1764300000000', 'a millisecond timestamp'],
  ])('leaves %s alone (%s)', (input) => {
    expect(maskMobiles(input)).toBe(input);
  });
});

describe('createLogger', () => {
  const MOBILE = '13812345678';
  const MASKED = '138****5678';

  it('masks mobiles in the message, including printf-style arguments', () => {
    const { log, lines, raw } = memoryLogger();
    log.info(`resident ${MOBILE} registered`);
    log.warn('resident %s asked for %s', MOBILE, 'rice');
    log.info({ ok: true }, `from ${MOBILE}`);
    expect(lines().map((l) => l.msg)).toEqual([`resident ${MASKED} registered`, `resident ${MASKED} asked for rice`, `from ${MASKED}`]);
    expect(raw()).not.toContain(MOBILE);
  });

  it('masks mobiles in nested fields and arrays, keeping other values', () => {
    const { log, lines, raw } = memoryLogger();
    log.info({ resident: { mobile: MOBILE, household: { contacts: [MOBILE, `家属 15500001111`], size: 3 } }, openid: 'oABC123', count: 2 }, 'saved');
    const [line] = lines();
    expect(line).toMatchObject({
      msg: 'saved',
      resident: { mobile: MASKED, household: { contacts: [MASKED, '家属 155****1111'], size: 3 } },
      openid: 'oABC123',
      count: 2,
      level: 30,
    });
    expect(raw()).not.toMatch(/13812345678|15500001111/);
  });

  it('masks mobiles however deep they are nested', () => {
    const { log, lines, raw } = memoryLogger();
    let deep: Record<string, unknown> = { mobile: MOBILE };
    for (let i = 0; i < 10; i++) deep = { level: deep };
    log.info({ deep }, 'deep');
    expect(raw()).not.toContain(MOBILE);
    expect(JSON.stringify(lines()[0])).toContain(MASKED);
  });

  it('masks mobiles in child logger bindings and in errors (message and stack), keeping valid JSON', () => {
    const { log, lines, raw } = memoryLogger();
    log.child({ caller: MOBILE }).info('hello');
    log.error({ err: new Error(`SMS to ${MOBILE} failed`) }, 'send failed');
    log.error(new Error(`bad number ${MOBILE}`));
    expect(raw()).not.toContain(MOBILE);
    const [child, withErr, bare] = lines();
    expect(child).toMatchObject({ caller: MASKED, msg: 'hello' });
    expect(withErr!.err).toMatchObject({ type: 'Error', message: `SMS to ${MASKED} failed`, stack: expect.stringContaining(`Error: SMS to ${MASKED} failed`) });
    expect(bare).toMatchObject({ msg: `bad number ${MASKED}`, err: { message: `bad number ${MASKED}` } });
  });

  it('masks a mobile held as a number, as a string so the line stays JSON', () => {
    const { log, lines, raw } = memoryLogger();
    log.info({ mobile: 13812345678, household: 3, amount: 13.5, time2: 1764300000000 }, 'numeric');
    expect(raw()).not.toContain(MOBILE);
    expect(lines()[0]).toMatchObject({ mobile: MASKED, household: 3, amount: 13.5, time2: 1764300000000 });
  });

  it('respects the level and writes nothing when silent', () => {
    const info = memoryLogger('info');
    info.log.debug(`debug ${MOBILE}`);
    info.log.info('shown');
    expect(info.lines().map((l) => l.msg)).toEqual(['shown']);
    const silent = memoryLogger('silent');
    silent.log.error('nothing');
    expect(silent.raw()).toBe('');
  });
});
