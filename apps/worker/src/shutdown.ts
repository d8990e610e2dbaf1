import { Worker } from 'bullmq';

/**
 * Stops taking jobs and lets active ones finish within `boundMs`. Past the bound the workers are closed by force:
 * their active jobs keep their lock until it expires, after which BullMQ's stalled-job check hands them to
 * another worker (at-least-once), so nothing is lost — it is released, not dropped.
 */
export async function closeWorkersWithin(workers: Worker[], boundMs: number): Promise<'drained' | 'released'> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = Promise.all(workers.map((w) => w.close())).then(() => 'drained' as const);
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), boundMs);
  });
  const outcome = await Promise.race([graceful, timeout]);
  if (timer) clearTimeout(timer);
  if (outcome === 'drained') return outcome;
  await Promise.all(workers.map((w) => w.close(true)));
  return 'released';
}
