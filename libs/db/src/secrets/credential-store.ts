import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/client';
import { PrismaService } from '../prisma.service';
import { SecretStore } from './secret-store';

/**
 * The outside systems' credentials the product authenticates with. Each is one row of `secrets` whose purpose is
 * `credential:<name>`; a changed value is a new row (the old one is deleted in the same transaction), so the row
 * id is the credential's version: a process compares ids to notice a rotation without decrypting anything.
 */
export const CREDENTIAL_NAMES = ['orchestrator.certificate', 'orchestrator.client-secret', 'vb365.username', 'vb365.password'] as const;
export type CredentialName = (typeof CREDENTIAL_NAMES)[number];

export function isCredentialName(name: string): name is CredentialName {
  return (CREDENTIAL_NAMES as readonly string[]).includes(name);
}

const PURPOSE_PREFIX = 'credential:';
const purposeOf = (name: string): string => `${PURPOSE_PREFIX}${name}`;

export interface StoredCredential {
  value: string;
  /** Row id: changes whenever the value changes (not when the data key is re-wrapped). */
  version: string;
}

/**
 * Secrets with up to two active values, for rotation without a gap: the consent-state key and each inbound webhook
 * source's shared secret. `<name>` holds the current value (used to sign, and first to verify); rotating moves it
 * to `<name>.previous` (same row, so its version is unchanged), which is still accepted until it is retired.
 */
export const CONSENT_STATE_KEY = 'consent.state-key';
export const INBOUND_WEBHOOK_SECRET_PREFIX = 'webhook.inbound.';
export const INBOUND_SOURCE_PATTERN = /^[a-z0-9-]{1,32}$/;
export type RotatingSecretName = typeof CONSENT_STATE_KEY | `webhook.inbound.${string}`;
const PREVIOUS_SUFFIX = '.previous';

export const inboundWebhookSecretName = (source: string): RotatingSecretName => `${INBOUND_WEBHOOK_SECRET_PREFIX}${source}`;

export function isRotatingSecretName(name: string): name is RotatingSecretName {
  if (name === CONSENT_STATE_KEY) return true;
  return name.startsWith(INBOUND_WEBHOOK_SECRET_PREFIX) && INBOUND_SOURCE_PATTERN.test(name.slice(INBOUND_WEBHOOK_SECRET_PREFIX.length));
}

/** Row ids (versions) of one rotating secret's active values. */
export interface ActiveSecretVersions {
  current?: string;
  previous?: string;
}

/** What `secrets:list` shows: names, key ids and dates, never a value. */
export interface SecretListing {
  name: string;
  keyId: string;
  createdAt: Date;
  rewrappedAt: Date | null;
}

@Injectable()
export class CredentialStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretStore,
  ) {}

  /**
   * Stores `value` under `name` unless the stored value is already equal. Returns whether anything changed.
   * Concurrent callers (an api and a worker starting together) are serialized by a transaction-level advisory lock.
   */
  async set(name: CredentialName, value: string): Promise<{ changed: boolean; version: string }> {
    return this.prisma.$transaction(async (tx) => {
      // `::text`: the driver adapter cannot read a column of type void.
      await tx.$queryRawUnsafe("SELECT pg_advisory_xact_lock(hashtextextended('secrets:credentials', 7))::text AS locked");
      const rows = await tx.secret.findMany({ where: { purpose: purposeOf(name) }, orderBy: { createdAt: 'desc' }, select: { id: true } });
      const newest = rows[0];
      if (newest && rows.length === 1 && (await this.secrets.get(newest.id, tx)) === value) return { changed: false, version: newest.id };
      await tx.secret.deleteMany({ where: { purpose: purposeOf(name) } });
      return { changed: true, version: await this.secrets.put(tx, purposeOf(name), value) };
    });
  }

  async delete(name: CredentialName): Promise<boolean> {
    const { count } = await this.prisma.secret.deleteMany({ where: { purpose: purposeOf(name) } });
    return count > 0;
  }

  /** The current versions (row ids) of the stored credentials: a cheap check that decrypts nothing. */
  async versions(): Promise<Partial<Record<CredentialName, string>>> {
    const rows = await this.prisma.secret.findMany({
      where: { purpose: { startsWith: PURPOSE_PREFIX } },
      orderBy: { createdAt: 'asc' },
      select: { id: true, purpose: true },
    });
    const out: Partial<Record<CredentialName, string>> = {};
    for (const r of rows) {
      const name = r.purpose.slice(PURPOSE_PREFIX.length);
      if (isCredentialName(name)) out[name] = r.id;
    }
    return out;
  }

  async get(name: CredentialName): Promise<StoredCredential | undefined> {
    const row = await this.prisma.secret.findFirst({ where: { purpose: purposeOf(name) }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    return row ? { value: await this.secrets.get(row.id), version: row.id } : undefined;
  }

  /**
   * Makes `value` the current value of a rotating secret; the value current until now becomes the previous one
   * (still accepted), and an older previous one is deleted. Setting the current value again changes nothing.
   */
  async rotate(name: RotatingSecretName, value: string): Promise<{ changed: boolean; version: string }> {
    return this.lockedTransaction(async (tx) => {
      const current = await tx.secret.findMany({ where: { purpose: purposeOf(name) }, orderBy: { createdAt: 'desc' }, select: { id: true } });
      if (current[0] && current.length === 1 && (await this.secrets.get(current[0].id, tx)) === value) return { changed: false, version: current[0].id };
      await tx.secret.deleteMany({ where: { purpose: purposeOf(`${name}${PREVIOUS_SUFFIX}`) } });
      if (current[0]) {
        await tx.secret.update({ where: { id: current[0].id }, data: { purpose: purposeOf(`${name}${PREVIOUS_SUFFIX}`) } });
        await tx.secret.deleteMany({ where: { purpose: purposeOf(name) } });
      }
      return { changed: true, version: await this.secrets.put(tx, purposeOf(name), value) };
    });
  }

  /**
   * Makes the stored active values exactly `current` and (when given) `previous` — the environment import. Equal
   * stored values change nothing (so restarting with the same variables writes nothing).
   */
  async setActive(name: RotatingSecretName, current: string, previous?: string): Promise<{ changed: boolean }> {
    return this.lockedTransaction(async (tx) => {
      const stored = await this.activeRows(tx, name);
      const read = async (id?: string): Promise<string | undefined> => (id ? this.secrets.get(id, tx) : undefined);
      if (stored.count <= 2 && (await read(stored.current)) === current && (await read(stored.previous)) === previous) return { changed: false };
      await tx.secret.deleteMany({ where: { purpose: { in: [purposeOf(name), purposeOf(`${name}${PREVIOUS_SUFFIX}`)] } } });
      if (previous !== undefined) await this.secrets.put(tx, purposeOf(`${name}${PREVIOUS_SUFFIX}`), previous);
      await this.secrets.put(tx, purposeOf(name), current);
      return { changed: true };
    });
  }

  /** Stops accepting the previous value of a rotating secret (the end of a rotation). */
  async retirePrevious(name: RotatingSecretName): Promise<boolean> {
    const { count } = await this.prisma.secret.deleteMany({ where: { purpose: purposeOf(`${name}${PREVIOUS_SUFFIX}`) } });
    return count > 0;
  }

  /** Removes a rotating secret (both values): an inbound source without a secret answers 404. */
  async deleteRotating(name: RotatingSecretName): Promise<boolean> {
    const { count } = await this.prisma.secret.deleteMany({ where: { purpose: { in: [purposeOf(name), purposeOf(`${name}${PREVIOUS_SUFFIX}`)] } } });
    return count > 0;
  }

  /** The versions of every stored rotating secret, by name: one indexed query, nothing decrypted. */
  async rotatingVersions(): Promise<Map<RotatingSecretName, ActiveSecretVersions>> {
    const rows = await this.prisma.secret.findMany({
      where: { OR: [{ purpose: { startsWith: purposeOf(CONSENT_STATE_KEY) } }, { purpose: { startsWith: `${PURPOSE_PREFIX}${INBOUND_WEBHOOK_SECRET_PREFIX}` } }] },
      orderBy: { createdAt: 'asc' },
      select: { id: true, purpose: true },
    });
    const out = new Map<RotatingSecretName, ActiveSecretVersions>();
    for (const r of rows) {
      const full = r.purpose.slice(PURPOSE_PREFIX.length);
      const isPrevious = full.endsWith(PREVIOUS_SUFFIX);
      const name = isPrevious ? full.slice(0, -PREVIOUS_SUFFIX.length) : full;
      if (!isRotatingSecretName(name)) continue;
      const entry = out.get(name) ?? {};
      entry[isPrevious ? 'previous' : 'current'] = r.id;
      out.set(name, entry);
    }
    return out;
  }

  /** Decrypts one stored version (a row id from rotatingVersions or versions). */
  async valueOf(version: string): Promise<string> {
    return this.secrets.get(version);
  }

  private async activeRows(tx: Prisma.TransactionClient, name: RotatingSecretName): Promise<ActiveSecretVersions & { count: number }> {
    const rows = await tx.secret.findMany({
      where: { purpose: { in: [purposeOf(name), purposeOf(`${name}${PREVIOUS_SUFFIX}`)] } },
      orderBy: { createdAt: 'desc' },
      select: { id: true, purpose: true },
    });
    return {
      count: rows.length,
      current: rows.find((r) => r.purpose === purposeOf(name))?.id,
      previous: rows.find((r) => r.purpose !== purposeOf(name))?.id,
    };
  }

  private lockedTransaction<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      // `::text`: the driver adapter cannot read a column of type void.
      await tx.$queryRawUnsafe("SELECT pg_advisory_xact_lock(hashtextextended('secrets:credentials', 7))::text AS locked");
      return fn(tx);
    });
  }

  /** Every row of `secrets`: credentials by name, other secrets by purpose (e.g. webhook-subscription). */
  async list(): Promise<SecretListing[]> {
    const rows = await this.prisma.secret.findMany({
      orderBy: [{ purpose: 'asc' }, { createdAt: 'asc' }],
      select: { purpose: true, keyId: true, createdAt: true, rewrappedAt: true },
    });
    return rows.map((r) => ({
      name: r.purpose.startsWith(PURPOSE_PREFIX) ? r.purpose.slice(PURPOSE_PREFIX.length) : `(${r.purpose})`,
      keyId: r.keyId,
      createdAt: r.createdAt,
      rewrappedAt: r.rewrappedAt,
    }));
  }
}
