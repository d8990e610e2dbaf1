import { createWriteStream, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { testLogDir } from './test-secrets';

let sequence = 0;

/**
 * Appends everything a child process writes (stdout and stderr) to `<TEST_LOG_DIR>/<name>-<pid>-<n>.log`, for the
 * whole-run secret scan; without TEST_LOG_DIR (a test started outside `npm test`) it does nothing.
 */
export function collectProcessOutput(name: string, child: { pid?: number; stdout: Readable | null; stderr: Readable | null; once(event: 'close', cb: () => void): unknown }): void {
  const dir = testLogDir();
  if (!dir) return;
  const out: WriteStream = createWriteStream(join(dir, `${name.replace(/[^a-z0-9-]+/gi, '_')}-${child.pid ?? 'x'}-${++sequence}.log`), { flags: 'a' });
  child.stdout?.on('data', (d: Buffer) => out.write(d));
  child.stderr?.on('data', (d: Buffer) => out.write(d));
  child.once('close', () => out.end());
}
