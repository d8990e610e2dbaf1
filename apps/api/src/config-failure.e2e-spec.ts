import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@app/common';

/** A bad configuration stops each app at start with one message naming every bad variable, and no secret. */
describe.each(['api', 'worker'])('%s with an invalid configuration', (app) => {
  it('exits 78 listing every bad variable', () => {
    const root = repoRoot();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      API_PORT: 'eighty',
      REDIS_URL: 'http://not-redis',
      VB365_BASE_URL: 'https://vb365.example:4443',
      VB365_PASSWORD: 'sup3r-secret-value',
    };
    const r = spawnSync(process.execPath, ['-r', join(root, 'tools/alias-register.cjs'), join(root, `dist/apps/${app}/src/main.js`)], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(78);
    for (const v of ['DATABASE_URL', 'API_PORT', 'REDIS_URL']) expect(r.stderr).toContain(v);
    expect(r.stderr).not.toContain('sup3r-secret-value');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
