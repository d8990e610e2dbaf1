import { createHash, createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { MasterKey, masterKeyFromBase64, openSecret, rewrapDataKey, sealSecret } from '@app/security';
import { Prisma } from '../generated/client';
import { PrismaService } from '../prisma.service';

type Db = Prisma.TransactionClient | PrismaService;

/** Without SECRET_ENCRYPTION_KEY outside production: a fixed, public development key (see docs/security.md). */
const DEV_KEY_ID = 'dev-insecure';
const DEV_KEY = createHash('sha256').update('orchestrator development master key (not a secret)').digest();

export class SecretsUnavailableError extends Error {
  readonly code = 'SECRETS_UNAVAILABLE';
  constructor() {
    super('SECRET_ENCRYPTION_KEY is not configured: secrets cannot be stored or read in production without it.');
  }
}

/**
 * Secrets at rest (the `secrets` table), envelope-encrypted by @app/security's secret box. Plaintexts only exist
 * in memory for as long as a caller uses them; they are never logged and never part of job payloads.
 */
@Injectable()
export class SecretStore {
  private readonly current?: MasterKey;
  private readonly readable: MasterKey[];

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const s = config.security;
    if (s.secretEncryptionKey) this.current = masterKeyFromBase64(s.secretEncryptionKeyId, s.secretEncryptionKey);
    else if (config.env !== 'production') this.current = { id: DEV_KEY_ID, key: DEV_KEY };
    this.readable = [
      ...(this.current ? [this.current] : []),
      ...s.previousEncryptionKeys.map((k) => masterKeyFromBase64(k.id, k.key)),
      // Outside production, rows written before a real master key was configured stay readable (and re-wrappable).
      ...(config.env !== 'production' && this.current?.id !== DEV_KEY_ID ? [{ id: DEV_KEY_ID, key: DEV_KEY }] : []),
    ];
  }

  private master(): MasterKey {
    if (!this.current) throw new SecretsUnavailableError();
    return this.current;
  }

  /**
   * A key for one purpose derived from the current master key (HMAC-SHA256), e.g. Graph subscription clientState.
   * Rotating the master key changes it: whatever was derived (subscriptions) must be re-created.
   */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.master().key).update(`derive:${purpose}`).digest();
  }

  async put(db: Db, purpose: string, plaintext: string): Promise<string> {
    const sealed = sealSecret(this.master(), plaintext);
    const row = await db.secret.create({
      data: {
        purpose,
        keyId: sealed.keyId,
        wrappedKey: new Uint8Array(sealed.wrappedKey),
        iv: new Uint8Array(sealed.iv),
        authTag: new Uint8Array(sealed.authTag),
        ciphertext: new Uint8Array(sealed.ciphertext),
      },
    });
    return row.id;
  }

  async get(id: string, db: Db = this.prisma): Promise<string> {
    this.master();
    const row = await db.secret.findUniqueOrThrow({ where: { id } });
    return openSecret(this.readable, {
      keyId: row.keyId,
      wrappedKey: Buffer.from(row.wrappedKey),
      iv: Buffer.from(row.iv),
      authTag: Buffer.from(row.authTag),
      ciphertext: Buffer.from(row.ciphertext),
    });
  }

  /**
   * Re-wraps every data key not under the current master key (rotation). Each row is updated on its own with a
   * guard on the old key id, so the command can be interrupted and run again.
   */
  async rewrapAll(): Promise<{ rewrapped: number; alreadyCurrent: number }> {
    const to = this.master();
    let rewrapped = 0;
    const rows = await this.prisma.secret.findMany({ where: { keyId: { not: to.id } }, select: { id: true, keyId: true, wrappedKey: true } });
    for (const row of rows) {
      const next = rewrapDataKey(this.readable, { keyId: row.keyId, wrappedKey: Buffer.from(row.wrappedKey) }, to);
      const { count } = await this.prisma.secret.updateMany({
        where: { id: row.id, keyId: row.keyId },
        data: { keyId: next.keyId, wrappedKey: new Uint8Array(next.wrappedKey), rewrappedAt: new Date() },
      });
      rewrapped += count;
    }
    const alreadyCurrent = await this.prisma.secret.count({ where: { keyId: to.id } }) - rewrapped;
    return { rewrapped, alreadyCurrent };
  }
}
