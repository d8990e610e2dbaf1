import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@app/common';
import { CONFIG_VARIABLES, ConfigError, parseConfig } from './app-config';

const minimal = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x' };

describe('configuration', () => {
  it('applies documented defaults', () => {
    const c = parseConfig(minimal);
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', queuePrefix: '{orch}' });
    expect(c.api.port).toBe(3000);
    expect(c.vb365.maxConcurrent).toBe(8);
    expect(c.entra.authorityHost).toBe('https://login.microsoftonline.com');
    expect(c.log.format).toBe('pretty');
    expect(parseConfig({ ...minimal, NODE_ENV: 'production' }).log.format).toBe('json');
  });

  it('names every bad variable in one error, without echoing values', () => {
    let err: unknown;
    try {
      parseConfig({
        API_PORT: 'eighty',
        QUEUE_PREFIX: 'orch',
        GRAPH_BASE_URL: 'http://graph.example',
        ORCHESTRATOR_APP_ID: 'not-a-guid',
        VB365_PASSWORD: 'hunter2-secret',
        VB365_MAX_CONCURRENT: '0',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const v of ['DATABASE_URL', 'API_PORT', 'QUEUE_PREFIX', 'GRAPH_BASE_URL', 'ORCHESTRATOR_APP_ID', 'VB365_MAX_CONCURRENT']) {
      expect(problems).toContain(v);
    }
    expect((err as Error).message).not.toContain('hunter2-secret');
  });

  it('checks combinations: one Entra credential kind; VB365 credentials optional (they live in the secret store)', () => {
    expect(parseConfig({ ...minimal, VB365_BASE_URL: 'https://vb365.example:4443' }).vb365.password).toBeUndefined();
    expect(() =>
      parseConfig({ ...minimal, ORCHESTRATOR_CERT_PATH: '/c.pem', ORCHESTRATOR_CLIENT_SECRET: 's' }),
    ).toThrow(/not both/);
  });

  it('reads the consent-state secret (at least 32 characters) and link lifetime', () => {
    expect(() => parseConfig({ ...minimal, CONSENT_STATE_SECRET: 'short' })).toThrow(/CONSENT_STATE_SECRET/);
    expect(parseConfig(minimal).consent).toEqual({ stateSecret: undefined, linkTtlMinutes: 1440 });
    const secret = 'x'.repeat(40);
    expect(parseConfig({ ...minimal, CONSENT_STATE_SECRET: secret, CONSENT_LINK_TTL_MINUTES: '30' }).consent).toEqual({
      stateSecret: secret,
      linkTtlMinutes: 30,
    });
  });

  it('treats empty strings as unset (compose passes VAR= for optional variables)', () => {
    expect(parseConfig({ ...minimal, VB365_BASE_URL: '', LOG_FORMAT: '' }).vb365.baseUrl).toBeUndefined();
  });

  it('.env.example documents exactly the variables the schema reads', () => {
    const text = readFileSync(join(repoRoot(), '.env.example'), 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
