import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { PrismaService } from '@app/db';
import { JobProducer } from '@app/jobs';
import { runJobId, RunLauncher } from './run-launcher.service';
import { TenantOutcomes } from './tenant-outcomes.service';

/** A queued run without a job for this long was orphaned (the api died between insert and enqueue). */
const ORPHAN_AFTER_MS = 2 * 60_000;

/**
 * Keeps runs honest when processes die: a run stuck in `running` beyond RUN_STUCK_AFTER_MINUTES is failed with a
 * clear reason (BullMQ's stalled-job check already re-delivers jobs whose worker died; this catches the rest), and
 * a `queued` run whose job is missing is enqueued again, as is a `running` run without progress for ORPHAN_AFTER_MS
 * whose job BullMQ failed (stalled too often) or lost.
 */
@Injectable()
export class RunReaper {
  private readonly logger = new Logger(RunReaper.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly launcher: RunLauncher,
    private readonly outcomes: TenantOutcomes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async reap(now = new Date()): Promise<{ failed: string[]; requeued: string[] }> {
    const failed: string[] = [];
    const requeued: string[] = [];
    const stuckBefore = new Date(now.getTime() - this.config.worker.runStuckAfterMinutes * 60_000);
    const running = await this.prisma.run.findMany({
      where: { status: 'running' },
      include: { steps: { select: { startedAt: true, finishedAt: true } } },
      take: 500,
    });
    for (const run of running) {
      const lastProgress = Math.max(
        run.startedAt?.getTime() ?? 0,
        ...run.steps.flatMap((s) => [s.startedAt?.getTime() ?? 0, s.finishedAt?.getTime() ?? 0]),
      );
      if (lastProgress >= stuckBefore.getTime()) {
        // A running run whose job BullMQ gave up on (stalled more than maxStalledCount: its workers kept dying, or
        // Redis restarted under it) or lost would stay `running` until RUN_STUCK: hand it to a worker again.
        if (lastProgress < now.getTime() - ORPHAN_AFTER_MS && (await this.jobGone(run.id))) {
          await this.launcher.requeue(run);
          requeued.push(run.id);
        }
        continue;
      }
      const minutes = this.config.worker.runStuckAfterMinutes;
      await this.outcomes.runFinished(run, 'failed', {
        code: 'RUN_STUCK',
        hint: `No progress for ${minutes} minutes; the reaper stopped it. Retry the run (POST /v1/runs/${run.id}/retry).`,
        step: 'reaper',
      });
      const job = await this.producer.queue('runs').getJob(runJobId(run.id));
      if (job && !(await job.isActive())) await job.remove();
      failed.push(run.id);
    }
    const queued = await this.prisma.run.findMany({
      where: { status: 'queued', updatedAt: { lt: new Date(now.getTime() - ORPHAN_AFTER_MS) } },
      take: 1000,
    });
    for (const run of queued) {
      if (await this.jobGone(run.id)) {
        await this.launcher.requeue(run);
        requeued.push(run.id);
      }
    }
    if (failed.length || requeued.length) this.logger.warn({ failed, requeued }, 'reaper acted');
    return { failed, requeued };
  }

  /** No worker will ever pick the run's job up: missing, finished or failed for good. */
  private async jobGone(runId: string): Promise<boolean> {
    const job = await this.producer.queue('runs').getJob(runJobId(runId));
    const state = job ? await job.getState() : 'missing';
    return state === 'missing' || state === 'completed' || state === 'failed' || state === 'unknown';
  }
}
