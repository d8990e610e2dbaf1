/** What the `secrets:*` commands share: configuration, a Prisma client closed at the end, errors as one line. */
import { AppConfig, loadConfig } from '@app/config';
import { CredentialStore, PrismaService, SecretStore } from '@app/db';

export interface SecretsCommandContext {
  config: AppConfig;
  secrets: SecretStore;
  credentials: CredentialStore;
}

async function run(command: (ctx: SecretsCommandContext) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const prisma = new PrismaService(config);
  const secrets = new SecretStore(prisma, config);
  try {
    await command({ config, secrets, credentials: new CredentialStore(prisma, secrets) });
  } finally {
    await prisma.$disconnect();
  }
}

export function runSecretsCommand(command: (ctx: SecretsCommandContext) => Promise<void>): void {
  run(command).catch((e: unknown) => {
    // Messages name what failed (a variable, a file, a key id); no value is ever part of them.
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
