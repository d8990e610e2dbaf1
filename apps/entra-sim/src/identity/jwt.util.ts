import { KeyObject, constants, createSign, createVerify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes without verifying; undefined when the token is not a well-formed compact JWS. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (!isRecord(header) || !isRecord(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

export type JwsAlg = 'RS256' | 'PS256';

export function verifyJws(jwt: DecodedJwt, alg: JwsAlg, key: KeyObject): boolean {
  const v = createVerify('RSA-SHA256').update(jwt.signingInput);
  return alg === 'PS256'
    ? v.verify({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature)
    : v.verify(key, jwt.signature);
}

export function signJws(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const alg = header['alg'];
  const s = createSign('RSA-SHA256').update(input);
  const sig = alg === 'PS256' ? s.sign({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }) : s.sign(key);
  return `${input}.${sig.toString('base64url')}`;
}
