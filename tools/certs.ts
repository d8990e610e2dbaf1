/**
 * Local TLS for the simulators: a private CA (created once) and a server certificate for 127.0.0.1/localhost
 * signed by it, under .local/certs/. Processes that call the simulators trust the CA via NODE_EXTRA_CA_CERTS;
 * TLS verification is never disabled. Also issues the orchestrator app's client certificate (certificate
 * credentials for Entra), which entra-sim registers on the app.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { repoRoot } from '@app/common';

export interface CertPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** PEM with private key + certificate, the format @azure/identity's ClientCertificateCredential reads. */
  clientPem: string;
  clientCert: string;
}

export function certPaths(dir = join(repoRoot(), '.local', 'certs')): CertPaths {
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    clientPem: join(dir, 'orchestrator-client.pem'),
    clientCert: join(dir, 'orchestrator-client-cert.pem'),
  };
}

function rsaKeyPair(): forge.pki.rsa.KeyPair {
  // node's native RSA generation is ~100x faster than forge's pure-JS one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) };
}

function serial(): string {
  // Positive serial number: clear the top bit.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function issue(opts: {
  subjectCn: string;
  keys: forge.pki.rsa.KeyPair;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  ca: boolean;
  days: number;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + opts.days * 86_400_000);
  const subject = [{ name: 'commonName', value: opts.subjectCn }, { name: 'organizationName', value: 'Local development' }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: opts.ca, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...opts.extensions,
  ]);
  cert.sign(opts.issuer ? opts.issuer.key : opts.keys.privateKey, forge.md.sha256.create());
  return cert;
}

function validFor(certFile: string, minDays: number): boolean {
  if (!existsSync(certFile)) return false;
  const cert = forge.pki.certificateFromPem(readFileSync(certFile, 'utf8'));
  return cert.validity.notAfter.getTime() - Date.now() > minDays * 86_400_000;
}

/** Creates whatever is missing or about to expire; returns the paths. Idempotent. */
export function ensureCertificates(dir?: string): CertPaths & { created: string[] } {
  const p = certPaths(dir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  let caCert: forge.pki.Certificate;
  let caKey: forge.pki.rsa.PrivateKey;
  let caFresh = false;
  if (validFor(p.caCert, 30) && existsSync(p.caKey)) {
    caCert = forge.pki.certificateFromPem(readFileSync(p.caCert, 'utf8'));
    caKey = forge.pki.privateKeyFromPem(readFileSync(p.caKey, 'utf8')) as forge.pki.rsa.PrivateKey;
  } else {
    const keys = rsaKeyPair();
    caCert = issue({
      subjectCn: 'VB365 orchestrator local CA',
      keys,
      ca: true,
      days: 3650,
      extensions: [{ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
    });
    caKey = keys.privateKey;
    writeFileSync(p.caCert, forge.pki.certificateToPem(caCert));
    writeFileSync(p.caKey, forge.pki.privateKeyToPem(caKey), { mode: 0o600 });
    created.push(p.caCert);
    caFresh = true;
  }
  if (caFresh || !validFor(p.serverCert, 30) || !existsSync(p.serverKey)) {
    const keys = rsaKeyPair();
    const cert = issue({
      subjectCn: 'localhost',
      keys,
      issuer: { cert: caCert, key: caKey },
      ca: false,
      days: 825,
      extensions: [
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'entra-sim' },
            { type: 2, value: 'vb365-sim' },
          ],
        },
      ],
    });
    writeFileSync(p.serverCert, forge.pki.certificateToPem(cert) + forge.pki.certificateToPem(caCert));
    writeFileSync(p.serverKey, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
    created.push(p.serverCert);
  }
  if (!validFor(p.clientCert, 30) || !existsSync(p.clientPem)) {
    const keys = rsaKeyPair();
    const cert = issue({
      subjectCn: 'vb365-orchestrator',
      keys,
      ca: false,
      days: 730,
      extensions: [{ name: 'keyUsage', digitalSignature: true, critical: true }],
    });
    const certPem = forge.pki.certificateToPem(cert);
    writeFileSync(p.clientCert, certPem);
    writeFileSync(p.clientPem, forge.pki.privateKeyToPem(keys.privateKey) + certPem, { mode: 0o600 });
    created.push(p.clientPem);
  }
  return { ...p, created };
}

if (require.main === module) {
  const r = ensureCertificates(process.argv[2]);
  console.log(r.created.length ? `certificates created: ${r.created.join(', ')}` : `certificates up to date in ${r.dir}`);
}
