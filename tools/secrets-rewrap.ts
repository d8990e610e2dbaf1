/**
 * `npm run secrets:rewrap` — after a master-key rotation (docs/security.md): re-wraps every data key in `secrets`
 * that is not under SECRET_ENCRYPTION_KEY (id SECRET_ENCRYPTION_KEY_ID), reading old rows with the keys listed in
 * SECRET_ENCRYPTION_PREVIOUS_KEYS. Ciphertexts are untouched; each row is updated on its own with a guard on its
 * old key id, so the command can be interrupted and run again. Prints counts only — never a key or a secret.
 */
import { runSecretsCommand } from './secrets-cli';

if (require.main === module) {
  runSecretsCommand(async ({ config, secrets }) => {
    if (!config.security.secretEncryptionKey) throw new Error('SECRET_ENCRYPTION_KEY is not set: nothing to re-wrap to.');
    const result = await secrets.rewrapAll();
    console.log(
      `re-wrapped ${result.rewrapped} data key(s) under master key "${config.security.secretEncryptionKeyId}"; ` +
        `${result.alreadyCurrent} were already under it`,
    );
  });
}
