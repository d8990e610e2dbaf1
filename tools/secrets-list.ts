/**
 * `npm run secrets:list` — every row of `secrets`: credential names (other secrets by purpose), the master key id
 * wrapping each data key, and dates. Never a value. After `secrets:rewrap` every key id is the current one.
 */
import { runSecretsCommand } from './secrets-cli';

if (require.main === module) {
  runSecretsCommand(async ({ credentials }) => {
    const rows = await credentials.list();
    if (!rows.length) console.log('no secrets stored');
    for (const r of rows) {
      console.log(`${r.name.padEnd(32)} key ${r.keyId.padEnd(14)} stored ${r.createdAt.toISOString()}${r.rewrappedAt ? `  re-wrapped ${r.rewrappedAt.toISOString()}` : ''}`);
    }
  });
}
