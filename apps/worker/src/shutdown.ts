import { Worker } from 'bullmq';

/**
 * Stops taking jobs and lets active ones finish within `boundMs`. Past the bound the caller exits without waiting:
 * the active jobs' locks are no longer renewed, so once they expire BullMQ's stalled-job check hands the jobs to
 * another worker (at-least-once; every handler is idempotent). Nothing is lost — it is released, not dropped.
 * (BullMQ's `close(true)` cannot be used to cut a graceful close short: once closing, it returns the same promise.)
 */
export async function closeWorkersWithin(workers: Worker[], boundMs: number): Promise<'drained' | 'released'> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = Promise.all(workers.map((w) => w.close())).then(() => 'drained' as const);
  const timeout = new Promise<'released'>((resolve) => {
    timer = setTimeout(() => resolve('released'), boundMs);
  });
  const outcome = await Promise.race([graceful, timeout]);
  if (timer) clearTimeout(timer);
  return outcome;
}
