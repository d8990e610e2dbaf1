import { randomBytes } from 'node:crypto';
import { MasterKey, openSecret, rewrapDataKey, sealSecret, SecretBoxError } from './secret-box';

const key = (id: string): MasterKey => ({ id, key: randomBytes(32) });

describe('secret box (AES-256-GCM envelope encryption)', () => {
  const k1 = key('k1');
  const k2 = key('k2');

  it('round-trips and never stores the plaintext', () => {
    const sealed = sealSecret(k1, 'whsec_topsecretvalue');
    expect(sealed.keyId).toBe('k1');
    const stored = Buffer.concat([sealed.wrappedKey, sealed.iv, sealed.authTag, sealed.ciphertext]).toString('latin1');
    expect(stored).not.toContain('topsecret');
    expect(openSecret([k1], sealed)).toBe('whsec_topsecretvalue');
  });

  it('uses a fresh data key and iv per secret', () => {
    const a = sealSecret(k1, 'same');
    const b = sealSecret(k1, 'same');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
  });

  it('re-wraps the data key under a new master key without touching the ciphertext', () => {
    const sealed = sealSecret(k1, 'rotate me');
    const rewrapped = { ...sealed, ...rewrapDataKey([k1], sealed, k2) };
    expect(rewrapped.keyId).toBe('k2');
    expect(rewrapped.ciphertext).toBe(sealed.ciphertext);
    expect(openSecret([k2], rewrapped)).toBe('rotate me');
    expect(() => openSecret([k1], rewrapped)).toThrow(SecretBoxError);
  });

  it('refuses tampered data, a wrong key and a relabelled key id without echoing anything secret', () => {
    const sealed = sealSecret(k1, 'integrity');
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openSecret([k1], { ...sealed, ciphertext: flipped })).toThrow(/could not be decrypted/);
    expect(() => openSecret([{ id: 'k1', key: randomBytes(32) }], sealed)).toThrow(/could not be decrypted/);
    expect(() => openSecret([k1, k2], { ...sealed, keyId: 'k2' })).toThrow(/could not be decrypted/);
    expect(() => openSecret([k2], sealed)).toThrow(/no master key with id k1/);
  });
});
