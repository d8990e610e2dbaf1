import { API_SCOPES, generateApiKey, isApiScope } from '@app/security';
import { PrismaService } from '../prisma.service';

export class InvalidApiKeyRequest extends Error {}

/** Creates an API key; the full key is returned once and only its hash is stored. */
export async function issueApiKey(
  prisma: PrismaService,
  input: { name: string; scopes: string[]; tenantTags?: string[] },
): Promise<{ id: string; key: string; prefix: string }> {
  const bad = input.scopes.filter((s) => !isApiScope(s));
  if (!input.name.trim()) throw new InvalidApiKeyRequest('--name is required');
  if (!input.scopes.length || bad.length) {
    throw new InvalidApiKeyRequest(
      `--scopes must list one or more of ${API_SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`,
    );
  }
  const generated = generateApiKey();
  const row = await prisma.apiKey.create({
    data: {
      name: input.name.trim(),
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      scopes: [...new Set(input.scopes)],
      tenantTags: [...new Set(input.tenantTags ?? [])],
    },
  });
  return { id: row.id, key: generated.key, prefix: generated.prefix };
}
