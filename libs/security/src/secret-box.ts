import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of secrets at rest: each secret is encrypted (AES-256-GCM) under its own random data key;
 * the data key is stored wrapped (AES-256-GCM) by a master key from configuration, named by its key id. Rotating
 * the master key re-wraps data keys only (rewrapDataKey); ciphertexts are never touched.
 */
export interface MasterKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** What is stored per secret (the `secrets` table). */
export interface SealedSecret {
  keyId: string;
  /** iv (12) ‖ tag (16) ‖ encrypted data key (32). */
  wrappedKey: Buffer;
  iv: Buffer;
  authTag: Buffer;
  ciphertext: Buffer;
}

export class SecretBoxError extends Error {
  constructor(
    readonly code: 'UNKNOWN_KEY_ID' | 'DECRYPT_FAILED' | 'BAD_MASTER_KEY',
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export function masterKeyFromBase64(id: string, base64: string): MasterKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new SecretBoxError('BAD_MASTER_KEY', `master key ${id} must be 32 bytes`);
  return { id, key };
}

function gcmEncrypt(key: Buffer, plain: Buffer, aad: string): { iv: Buffer; tag: Buffer; data: Buffer } {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain), c.final()]);
  return { iv, tag: c.getAuthTag(), data };
}

function gcmDecrypt(key: Buffer, iv: Buffer, tag: Buffer, data: Buffer, aad: string): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    // Never include the key, the ciphertext or the library's message (it may echo input) in the error.
    throw new SecretBoxError('DECRYPT_FAILED', 'secret could not be decrypted (wrong master key or tampered data)');
  }
}

// The key id is authenticated with the wrapped key, so a row cannot be pointed at another master key silently.
const wrapAad = (keyId: string): string => `datakey:${keyId}`;
const SECRET_AAD = 'secret:v1';

function wrap(master: MasterKey, dataKey: Buffer): Buffer {
  const { iv, tag, data } = gcmEncrypt(master.key, dataKey, wrapAad(master.id));
  return Buffer.concat([iv, tag, data]);
}

function unwrap(keys: readonly MasterKey[], keyId: string, wrapped: Buffer): Buffer {
  const master = keys.find((k) => k.id === keyId);
  if (!master) throw new SecretBoxError('UNKNOWN_KEY_ID', `no master key with id ${keyId} is configured`);
  return gcmDecrypt(master.key, wrapped.subarray(0, 12), wrapped.subarray(12, 28), wrapped.subarray(28), wrapAad(keyId));
}

export function sealSecret(master: MasterKey, plaintext: string): SealedSecret {
  const dataKey = randomBytes(32);
  const { iv, tag, data } = gcmEncrypt(dataKey, Buffer.from(plaintext, 'utf8'), SECRET_AAD);
  const sealed = { keyId: master.id, wrappedKey: wrap(master, dataKey), iv, authTag: tag, ciphertext: data };
  dataKey.fill(0);
  return sealed;
}

/** `keys`: the current master key and any previous ones still needed to read older rows. */
export function openSecret(keys: readonly MasterKey[], sealed: SealedSecret): string {
  const dataKey = unwrap(keys, sealed.keyId, sealed.wrappedKey);
  try {
    return gcmDecrypt(dataKey, sealed.iv, sealed.authTag, sealed.ciphertext, SECRET_AAD).toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** Re-wraps a data key under `to` (master key rotation); the secret's ciphertext stays as it is. */
export function rewrapDataKey(
  keys: readonly MasterKey[],
  sealed: Pick<SealedSecret, 'keyId' | 'wrappedKey'>,
  to: MasterKey,
): { keyId: string; wrappedKey: Buffer } {
  const dataKey = unwrap(keys, sealed.keyId, sealed.wrappedKey);
  try {
    return { keyId: to.id, wrappedKey: wrap(to, dataKey) };
  } finally {
    dataKey.fill(0);
  }
}
