import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';

/**
 * The boundary rules must actually forbid something: each case writes a throw-away file into a project, lints it
 * with the workspace's real ESLint config (one eslint process for all cases), and expects — or not — an
 * @nx/enforce-module-boundaries error.
 */
const root = repoRoot();

interface Probe {
  name: string;
  dir: string;
  code: string;
  suffix?: string;
  forbidden: boolean;
}

const probes: Probe[] = [
  { name: 'adapter (libs/entra) → db', dir: 'libs/entra/src', code: "import { PrismaService } from '@app/db';\nexport const x = PrismaService;\n", forbidden: true },
  { name: 'adapter (libs/vb365) → jobs', dir: 'libs/vb365/src', code: "import { QUEUE_NAMES } from '@app/jobs';\nexport const x = QUEUE_NAMES;\n", forbidden: true },
  { name: 'app → testing (production file)', dir: 'apps/api/src', code: "import { testQueuePrefix } from '@app/testing';\nexport const x = testQueuePrefix;\n", forbidden: true },
  { name: 'app → testing (test file)', dir: 'apps/api/src', code: "import { testQueuePrefix } from '@app/testing';\nexport const x = testQueuePrefix;\n", suffix: '.spec.ts', forbidden: false },
  { name: 'simulator → config', dir: 'apps/vb365-sim/src', code: "import { loadConfig } from '@app/config';\nexport const x = loadConfig;\n", forbidden: true },
  { name: 'app → app', dir: 'apps/worker/src', code: "import { createApiApp } from '../../api/src/bootstrap';\nexport const x = createApiApp;\n", forbidden: true },
  { name: 'data (libs/db) → adapter', dir: 'libs/db/src', code: "import { EntraError } from '@app/entra';\nexport const x = EntraError;\n", forbidden: true },
  { name: 'app → db', dir: 'apps/worker/src', code: "import { PrismaService } from '@app/db';\nexport const x = PrismaService;\n", forbidden: false },
  { name: 'adapter → util', dir: 'libs/entra/src', code: "import { sleep } from '@app/common';\nexport const x = sleep;\n", forbidden: false },
];

describe('module boundaries', () => {
  const errors = new Map<string, string[]>();

  beforeAll(() => {
    const files = probes.map((p) => join(root, p.dir, `zz-boundary-probe-${randomBytes(4).toString('hex')}${p.suffix ?? '.ts'}`));
    probes.forEach((p, i) => writeFileSync(files[i]!, p.code));
    try {
      let out: string;
      try {
        out = execFileSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', ...files], {
          cwd: root,
          encoding: 'utf8',
          maxBuffer: 32 * 1024 * 1024,
        });
      } catch (e) {
        // eslint exits 1 when it reports errors: that is the expected outcome here.
        out = (e as { stdout: string }).stdout;
      }
      const results = JSON.parse(out) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
      probes.forEach((p, i) => {
        const r = results.find((x) => x.filePath === files[i]);
        errors.set(p.name, (r?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
      });
    } finally {
      for (const f of files) rmSync(f, { force: true });
    }
  });

  it.each(probes.map((p) => [p.name, p.forbidden] as const))('%s: forbidden=%s', (name, forbidden) => {
    if (forbidden) expect(errors.get(name)).not.toEqual([]);
    else expect(errors.get(name)).toEqual([]);
  });
});
