import { arrayElement, columnArrays } from './pg-array';

describe('Postgres array literals', () => {
  it('quotes every text, escapes only quote and backslash, and writes NULL for null', () => {
    expect(arrayElement(null)).toBe('NULL');
    expect(arrayElement(undefined)).toBe('NULL');
    expect(arrayElement('NULL')).toBe('"NULL"');
    expect(arrayElement('')).toBe('""');
    expect(arrayElement('a,b {c}')).toBe('"a,b {c}"');
    expect(arrayElement('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it('builds one literal per column, rows in order', () => {
    const rows = [
      { a: 'x', b: 1 },
      { a: null, b: 2 },
    ];
    expect(columnArrays(rows, [(r) => r.a, (r) => String(r.b)])).toEqual(['{"x",NULL}', '{"1","2"}']);
    expect(columnArrays([], [(r: { a: string }) => r.a])).toEqual(['{}']);
  });
});
