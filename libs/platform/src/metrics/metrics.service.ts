import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type QueueDepthSource = () => Promise<{ queue: string; state: string; count: number }[]>;

/** One Prometheus registry per process: HTTP, job and queue metrics plus Node's defaults. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobsCompleted = new Counter({
    name: 'jobs_completed_total',
    help: 'Jobs completed per queue and job name',
    labelNames: ['queue', 'name'] as const,
    registers: [this.registry],
  });

  readonly jobsFailed = new Counter({
    name: 'jobs_failed_total',
    help: 'Job attempts failed per queue, job name and error code',
    labelNames: ['queue', 'name', 'code'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Job processing duration per queue and job name',
    labelNames: ['queue', 'name'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });

  private depthSources: QueueDepthSource[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const sources = (): QueueDepthSource[] => this.depthSources;
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each queue by state (sampled at scrape time)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const source of sources()) {
          for (const { queue, state, count } of await source()) this.set({ queue, state }, count);
        }
      },
    });
  }

  addQueueDepthSource(source: QueueDepthSource): void {
    this.depthSources.push(source);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
