/**
 * `npm run key:create -- --name <name> --scopes <scope,...> [--tenant-tags <tag,...>] [--env-line NAME]`
 * Creates an API key and prints it once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@app/config';
import { ApiKeyRepository, PrismaService } from '@app/db';
import { API_SCOPES, generateApiKey, isApiScope } from '@app/security';

export async function createApiKey(
  prisma: PrismaService,
  input: { name: string; scopes: string[]; tenantTags: string[] },
): Promise<{ id: string; key: string; prefix: string }> {
  const bad = input.scopes.filter((s) => !isApiScope(s));
  if (!input.name.trim()) throw new Error('--name is required');
  if (!input.scopes.length || bad.length) {
    throw new Error(`--scopes must list one or more of ${API_SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`);
  }
  const generated = generateApiKey();
  const row = await new ApiKeyRepository(prisma).create({
    name: input.name.trim(),
    prefix: generated.prefix,
    secretHash: generated.secretHash,
    scopes: [...new Set(input.scopes)],
    tenantTags: [...new Set(input.tenantTags)],
  });
  return { id: row.id, key: generated.key, prefix: generated.prefix };
}

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
    const k = await createApiKey(prisma, {
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
