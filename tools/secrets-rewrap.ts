/**
 * `npm run secrets:rewrap` — after a master-key rotation (docs/security.md): re-wraps every data key in `secrets`
 * that is not under SECRET_ENCRYPTION_KEY (id SECRET_ENCRYPTION_KEY_ID), reading old rows with the keys listed in
 * SECRET_ENCRYPTION_PREVIOUS_KEYS. Ciphertexts are untouched; each row is updated on its own with a guard on its
 * old key id, so the command can be interrupted and run again. Prints counts only — never a key or a secret.
 */
import { loadConfig } from '@app/config';
import { PrismaService, SecretStore } from '@app/db';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.security.secretEncryptionKey) throw new Error('SECRET_ENCRYPTION_KEY is not set: nothing to re-wrap to.');
  const prisma = new PrismaService(config);
  try {
    const result = await new SecretStore(prisma, config).rewrapAll();
    console.log(
      `re-wrapped ${result.rewrapped} data key(s) under master key "${config.security.secretEncryptionKeyId}"; ` +
        `${result.alreadyCurrent} were already under it`,
    );
  } finally {
    await prisma.$disconnect();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
