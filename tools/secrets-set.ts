/**
 * `npm run secrets:set -- <name> --from-file <path> | --from-env <VAR> | --stdin` — stores one of the outside
 * credentials encrypted in `secrets` (docs/security.md); `--delete` removes it. Names: orchestrator.certificate
 * (PEM with the private key and certificate), orchestrator.client-secret, vb365.username, vb365.password.
 * The value is never taken from the command line (shell history) and never printed. Running processes pick a
 * changed value up within CREDENTIAL_CHECK_INTERVAL_MS (30 s).
 *
 * Rotating secrets — `consent.state-key` and `webhook.inbound.<source>` (docs/webhooks.md): setting a new value
 * keeps the value current until now as `<name>.previous`, still accepted, until `--retire-previous` removes it;
 * running api processes pick either change up within ACTIVE_SECRETS_CHECK_INTERVAL_MS (5 s).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CONSENT_STATE_KEY, CREDENTIAL_NAMES, INBOUND_WEBHOOK_SECRET_PREFIX, isCredentialName, isRotatingSecretName } from '@app/db';
import { runSecretsCommand } from './secrets-cli';

const USAGE =
  `usage: npm run secrets:set -- <${[...CREDENTIAL_NAMES, CONSENT_STATE_KEY, `${INBOUND_WEBHOOK_SECRET_PREFIX}<source>`].join('|')}>` +
  ' (--from-file <path> | --from-env <VAR> | --stdin | --delete | --retire-previous)';

function readValue(v: { 'from-file'?: string; 'from-env'?: string; stdin?: boolean }): string {
  const sources = [v['from-file'], v['from-env'], v.stdin].filter((x) => x !== undefined);
  if (sources.length !== 1) throw new Error(USAGE);
  let value: string | undefined;
  if (v['from-file'] !== undefined) value = readFileSync(v['from-file'], 'utf8');
  else if (v['from-env'] !== undefined) value = process.env[v['from-env']];
  else value = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (!value) throw new Error('the value is empty (or the variable is not set): nothing stored');
  return value;
}

if (require.main === module) {
  runSecretsCommand(async ({ config, credentials }) => {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: { 'from-file': { type: 'string' }, 'from-env': { type: 'string' }, stdin: { type: 'boolean' }, delete: { type: 'boolean' }, 'retire-previous': { type: 'boolean' } },
    });
    const name = positionals[0] ?? '';
    if (positionals.length === 1 && isRotatingSecretName(name)) {
      if (values['retire-previous']) console.log((await credentials.retirePrevious(name)) ? `${name}: the previous value is no longer accepted` : `${name} has no previous value`);
      else if (values.delete) console.log((await credentials.deleteRotating(name)) ? `deleted ${name} (current and previous)` : `${name} was not stored`);
      else {
        const r = await credentials.rotate(name, readValue(values));
        console.log(
          r.changed
            ? `stored ${name} (version ${r.version}); the value it replaces stays accepted as ${name}.previous until --retire-previous; running api processes pick it up within 5 s`
            : `${name} already holds this value: nothing changed`,
        );
      }
      return;
    }
    if (positionals.length !== 1 || !isCredentialName(name) || values['retire-previous']) throw new Error(USAGE);
    if (values.delete) {
      console.log((await credentials.delete(name)) ? `deleted ${name}` : `${name} was not stored`);
      return;
    }
    const r = await credentials.set(name, readValue(values));
    const keyId = config.security.secretEncryptionKey ? config.security.secretEncryptionKeyId : 'dev-insecure';
    console.log(
      r.changed
        ? `stored ${name} (version ${r.version}) under master key "${keyId}"; running processes pick it up within 30 s`
        : `${name} already holds this value: nothing changed`,
    );
  });
}
