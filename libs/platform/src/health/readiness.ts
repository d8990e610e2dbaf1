import { HealthIndicatorResult } from '@nestjs/terminus';

/** Races a dependency check against a timeout so a hung dependency makes readiness fail fast, not hang. */
export async function checkWithTimeout(
  key: string,
  check: () => Promise<unknown>,
  timeoutMs: number,
): Promise<HealthIndicatorResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { [key]: { status: 'up', latencyMs: Date.now() - started } };
  } catch (e) {
    return { [key]: { status: 'down', message: e instanceof Error ? e.message : String(e) } };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
