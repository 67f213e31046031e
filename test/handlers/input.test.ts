/** The zod → 400 parser: which field, what reason, and the query-string rules. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../handlers/errors.js';
import { localDay, pageLimit, parseBody, parseQuery, queryFlag, text } from '../../handlers/input.js';

function problem(f: () => unknown): { message: string; details?: Record<string, unknown> } {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('invalid_input');
    expect(e.status).toBe(400);
    return { message: e.message, details: e.details };
  }
  throw new Error('expected a 400');
}

const Body = z.strictObject({
  reason: text(5),
  items: z.array(z.strictObject({ item: text(10), quantity: z.number().positive() })).optional(),
  kind: z.enum(['a', 'b']).optional(),
});

describe('parseBody', () => {
  it('names the field and the reason', () => {
    expect(problem(() => parseBody(Body, {}))).toEqual({ message: 'reason is required', details: { field: 'reason', reason: 'is required' } });
    expect(problem(() => parseBody(Body, { reason: 7 })).details).toEqual({ field: 'reason', reason: 'must be a string' });
    expect(problem(() => parseBody(Body, { reason: 'ok', kind: 'c' })).message).toBe('kind must be one of a, b');
  });

  it('counts characters, not UTF-16 units, and trims', () => {
    expect(parseBody(Body, { reason: ' 🙂🙂🙂🙂🙂 ' })).toEqual({ reason: '🙂🙂🙂🙂🙂' });
    expect(problem(() => parseBody(Body, { reason: '六个汉字啊啊' })).message).toBe('reason is 6 characters; at most 5');
    expect(problem(() => parseBody(Body, { reason: '   ' })).message).toBe('reason must not be empty');
  });

  it('reports an array item by its number under the array’s field', () => {
    const p = problem(() =>
      parseBody(Body, {
        reason: 'ok',
        items: [
          { item: 'rice', quantity: 1 },
          { item: 'oil', quantity: 0 },
        ],
      }),
    );
    expect(p).toEqual({
      message: 'items item 2: quantity must be greater than 0',
      details: { field: 'items', reason: 'item 2: quantity must be greater than 0' },
    });
  });

  it('refuses unknown fields, naming them and what is allowed', () => {
    const p = problem(() => parseBody(Body, { reason: 'ok', colour: 'red' }));
    expect(p.message).toBe('unknown field colour; allowed: reason, items, kind');
    expect(p.details).toMatchObject({ field: 'colour', fields: ['colour'] });
    expect(problem(() => parseBody(Body, { reason: 'ok', items: [{ item: 'x', quantity: 1, size: 'L' }] })).details).toMatchObject({ field: 'items' });
  });

  it('takes a missing body as {} and refuses anything but an object', () => {
    expect(parseBody(z.strictObject({ note: text(5).optional() }), undefined)).toEqual({});
    expect(problem(() => parseBody(Body, [1])).message).toBe('expected a JSON object');
    expect(problem(() => parseBody(Body, 'text')).message).toBe('expected a JSON object');
  });
});

describe('parseQuery', () => {
  const Q = z.strictObject({ date: localDay.optional(), open: queryFlag.optional(), limit: pageLimit(20, 100) });

  it('converts flags and numbers, with defaults', () => {
    expect(parseQuery(Q, { open: 'false', limit: '5' })).toEqual({ open: false, limit: 5 });
    expect(parseQuery(Q, { date: '2026-11-28' })).toEqual({ date: '2026-11-28', limit: 20 });
  });

  it('treats an empty value as absent and a repeated one as a mistake', () => {
    expect(parseQuery(Q, { date: '', open: '' })).toEqual({ limit: 20 });
    expect(problem(() => parseQuery(Q, { open: ['true', 'false'] })).details).toEqual({ field: 'open', reason: 'may be given once' });
  });

  it.each([
    [{ date: '2026-02-29' }, 'date', 'must be a date YYYY-MM-DD'],
    [{ date: '28/11/2026' }, 'date', 'must be a date YYYY-MM-DD'],
    [{ open: 'yes' }, 'open', 'must be one of true, false'],
    [{ limit: '1.5' }, 'limit', 'must be an integer 1..100'],
    [{ limit: 'ten' }, 'limit', 'must be an integer 1..100'],
    [{ limit: '101' }, 'limit', 'must be an integer 1..100'],
  ])('%j → 400 on %s', (q, field, reason) => {
    expect(problem(() => parseQuery(Q, q)).details).toEqual({ field, reason });
  });
});
