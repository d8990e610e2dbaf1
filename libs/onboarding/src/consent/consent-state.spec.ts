import { newConsentNonce, signConsentState, verifyConsentState, verifyConsentStateWithKeys } from './consent-state';

const secret = 'k'.repeat(44);

describe('consent state', () => {
  const payload = { nonce: newConsentNonce(), expiresAt: new Date('2030-01-01T00:00:00Z') };

  it('round-trips nonce and expiry (to the second)', () => {
    const state = signConsentState(secret, payload);
    expect(state).toMatch(/^v1\.[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyConsentState(secret, state)).toEqual({ ok: true, payload });
  });

  it('makes a new nonce every time', () => {
    expect(new Set(Array.from({ length: 100 }, newConsentNonce)).size).toBe(100);
  });

  it('rejects a state signed with another secret', () => {
    expect(verifyConsentState(secret, signConsentState('o'.repeat(44), payload))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects any tampered part', () => {
    const [v, nonce, exp, sig] = signConsentState(secret, payload).split('.') as [
      string,
      string,
      string,
      string,
    ];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(verifyConsentState(secret, [v, flip(nonce), exp, sig].join('.')).ok).toBe(false);
    expect(verifyConsentState(secret, [v, nonce, String(Number(exp) + 3600), sig].join('.')).ok).toBe(false);
    expect(verifyConsentState(secret, [v, nonce, exp, flip(sig)].join('.')).ok).toBe(false);
    expect(verifyConsentState(secret, [v, nonce, exp, sig.slice(0, -2)].join('.')).ok).toBe(false);
  });

  it('rejects malformed input without throwing', () => {
    for (const s of [
      '',
      'x',
      'v1.a.b',
      'v2.a.1.b',
      'v1.a.notanumber.b',
      'v1.a b.1.c',
      'v1.a.1.b.c',
      'v1.' + 'a'.repeat(300) + '.1.b',
    ]) {
      expect(verifyConsentState(secret, s)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('with the active keys (current, previous) accepts a state signed by either, and nothing else', () => {
    const previous = 'p'.repeat(44);
    const keys = [secret, previous];
    expect(verifyConsentStateWithKeys(keys, signConsentState(secret, payload))).toEqual({ ok: true, payload });
    expect(verifyConsentStateWithKeys(keys, signConsentState(previous, payload))).toEqual({ ok: true, payload });
    expect(verifyConsentStateWithKeys([secret], signConsentState(previous, payload))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyConsentStateWithKeys(keys, signConsentState('x'.repeat(44), payload))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyConsentStateWithKeys(keys, 'v1.nope')).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyConsentStateWithKeys([], signConsentState(secret, payload))).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
