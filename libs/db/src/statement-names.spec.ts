import { statementNames } from './prisma.service';

describe('statementNames', () => {
  it('gives each distinct SQL text one stable name', () => {
    const name = statementNames();
    const a = name({ sql: 'SELECT 1' });
    const b = name({ sql: 'SELECT 2' });
    expect(a).toBe('s1');
    expect(b).toBe('s2');
    expect(name({ sql: 'SELECT 1' })).toBe(a);
  });

  it('stops naming new texts at its bound (unnamed statements are parsed each time, as without it)', () => {
    const name = statementNames(2);
    name({ sql: 'SELECT 1' });
    name({ sql: 'SELECT 2' });
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    // Known texts keep their names.
    expect(name({ sql: 'SELECT 2' })).toBe('s2');
  });

  it('names with its prefix, so two generators never give one name to two texts', () => {
    const prisma = statementNames();
    const audit = statementNames(100, 'audit_');
    expect(audit({ sql: 'SELECT 1' })).toBe('audit_1');
    expect(prisma({ sql: 'SELECT 2' })).toBe('s1');
  });
});
