/**
 * Paths pino censors in every log line (STYLE.md 15). Authorization headers, tokens, passwords, client secrets,
 * private keys and API keys never reach a log, whatever object they travel in.
 */
const secretKeys = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'token',
  'apiKey',
  'privateKey',
  'private_key',
  'webhook-signature',
];

export const REDACT_PATHS: string[] = [
  ...secretKeys.flatMap((k) => [`req.headers["${k}"]`, `res.headers["${k}"]`]),
  ...secretKeys.flatMap((k) => [`*["${k}"]`, `*.*["${k}"]`]),
  ...secretKeys.map((k) => `["${k}"]`),
];

const PATTERNS: [RegExp, string][] = [
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [Redacted]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[Redacted private key]'],
  [/\bok_[a-f0-9]{8}_[A-Za-z0-9_-]{20,}/g, 'ok_[Redacted]'],
  [/(client_secret|password|refresh_token|access_token|client_assertion)=[^&\s]+/gi, '$1=[Redacted]'],
];

/** Scrubs secrets that may be embedded in free text (error messages from SDKs, URLs). */
export function scrubSecrets(text: string): string {
  return PATTERNS.reduce((acc, [re, rep]) => acc.replace(re, rep), text);
}
