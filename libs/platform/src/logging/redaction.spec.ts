import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS, scrubSecrets } from './redaction';

describe('log redaction', () => {
  it('censors secrets in headers and nested objects', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[Redacted]' } }, sink);
    log.info({
      req: { headers: { authorization: 'Bearer abc.def', 'x-request-id': 'r1' } },
      vb365: { password: 'p@ss', username: 'admin' },
      client_secret: 's3cret',
      token: { access_token: 'tok' },
    });
    const out = lines.join('');
    for (const secret of ['abc.def', 'p@ss', 's3cret', '"tok"']) expect(out).not.toContain(secret);
    expect(out).toContain('admin');
    expect(out).toContain('r1');
  });

  it('scrubs secrets embedded in free text', () => {
    const text = scrubSecrets(
      'failed: Authorization: Bearer eyJhbGciOi.x.y client_secret=abc&scope=x key ok_1234abcd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(text).not.toMatch(/eyJhbGciOi|client_secret=abc|AAAAAAAAAAAA/);
  });
});
