import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ApiKeyRepository, TenantScope } from '@app/db';
import { parseApiKey, verifySecret } from '@app/security';

export interface Principal {
  keyId: string;
  keyName: string;
  scopes: readonly string[];
  tenantScope: TenantScope;
}

/**
 * Resolves a presented API key to a principal. Positive lookups are cached for a few seconds so a busy portal
 * backend does not cost a database round-trip per request; revocation therefore takes effect within CACHE_TTL_MS.
 */
@Injectable()
export class ApiKeyService {
  private static readonly CACHE_TTL_MS = 5_000;
  private readonly cache = new LRUCache<string, Principal>({ max: 1000, ttl: ApiKeyService.CACHE_TTL_MS });

  constructor(private readonly keys: ApiKeyRepository) {}

  async authenticate(presented: string | undefined): Promise<Principal | undefined> {
    if (!presented) return undefined;
    const parsed = parseApiKey(presented);
    if (!parsed) return undefined;
    const cached = this.cache.get(presented);
    if (cached) return cached;
    const row = await this.keys.findActiveByPrefix(parsed.prefix);
    if (!row || !verifySecret(parsed.secret, row.secretHash)) return undefined;
    const principal: Principal = {
      keyId: row.id,
      keyName: row.name,
      scopes: row.scopes,
      tenantScope: { tags: row.tenantTags },
    };
    this.cache.set(presented, principal);
    return principal;
  }
}

/** Reads `Authorization: Bearer <key>` (API clients) or Basic with the key as password (browsers, Bull Board). */
export function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.split(/\s+/, 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme!)) return value;
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}
