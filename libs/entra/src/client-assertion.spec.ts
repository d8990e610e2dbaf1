import { constants, createHash, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { CertificateAssertions, tokenEndpoint } from './client-assertion';

const certs = join(repoRoot(), '.local', 'certs');
const pem = () => readFileSync(join(certs, 'orchestrator-client.pem'), 'utf8');
const certOnly = () => readFileSync(join(certs, 'orchestrator-client-cert.pem'), 'utf8');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

describe('CertificateAssertions', () => {
  it('signs the assertion MSAL would: PS256, x5t#S256 of the certificate, aud/iss/sub/jti, 10 minutes', async () => {
    const aud = tokenEndpoint('https://login.example.test/', 'contoso-tid');
    expect(aud).toBe('https://login.example.test/contoso-tid/oauth2/v2.0/token');
    const jwt = await new CertificateAssertions(pem(), CLIENT_ID).assertion(aud);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const cert = new X509Certificate(certOnly());
    expect(decode(h)).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': createHash('sha256').update(cert.raw).digest('base64url') });
    const payload = decode(p);
    expect(payload).toMatchObject({ aud, iss: CLIENT_ID, sub: CLIENT_ID, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(Number(payload['exp']) - Number(payload['nbf'])).toBe(600);
    expect(Math.abs(Number(payload['nbf']) - Date.now() / 1000)).toBeLessThan(5);
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(s, 'base64url'));
    expect(ok).toBe(true);
    // A fresh jti every time (Entra rejects a replayed assertion).
    expect(decode((await new CertificateAssertions(pem(), CLIENT_ID).assertion(aud)).split('.')[1]!)['jti']).not.toBe(payload['jti']);
  });

  it('sends the certificate chain in x5c only when asked', async () => {
    const h = decode((await new CertificateAssertions(pem(), CLIENT_ID, { sendCertificateChain: true }).assertion('https://x/t/oauth2/v2.0/token')).split('.')[0]!);
    expect(h['x5c']).toEqual([new X509Certificate(certOnly()).raw.toString('base64')]);
  });

  it('refuses a PEM without a certificate, without a key, or whose key is not the certificate’s', () => {
    const key = pem().replace(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*/g, '');
    expect(() => new CertificateAssertions(key, CLIENT_ID)).toThrow('no certificate');
    expect(() => new CertificateAssertions(certOnly(), CLIENT_ID)).toThrow('no readable private key');
    const otherKey = readFileSync(join(certs, 'server-key.pem'), 'utf8');
    expect(() => new CertificateAssertions(`${certOnly()}\n${otherKey}`, CLIENT_ID)).toThrow('does not belong');
  });
});
