/**
 * `npm run key:create -- --name <name> --scopes <scope,...> [--tenant-tags <tag,...>] [--env-line NAME]`
 * Creates an API key and prints it once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@app/config';
import { issueApiKey, PrismaService } from '@app/db';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      'tenant-tags': { type: 'string' },
      'env-line': { type: 'string' },
    },
  });
  const split = (v?: string): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const prisma = new PrismaService(loadConfig());
  try {
    const k = await issueApiKey(prisma, {
      name: values.name ?? '',
      scopes: split(values.scopes),
      tenantTags: split(values['tenant-tags']),
    });
    console.log(`Created API key "${values.name}" (id ${k.id}, prefix ${k.prefix}). It is shown once; store it now:`);
    console.log(values['env-line'] ? `${values['env-line']}=${k.key}` : k.key);
  } finally {
    await prisma.$disconnect();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
