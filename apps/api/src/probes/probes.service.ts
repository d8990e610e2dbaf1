import { Injectable } from '@nestjs/common';
import { Probe, ProbeRepository } from '@app/db';
import { JobProducer } from '@app/jobs';
import { ApiError } from '@app/platform';
import { sleep } from '@app/common';
import { ProbeDto } from './probe.dto';

const WAIT_LIMIT_MS = 15_000;
const POLL_MS = 25;

/** Pipeline probe: api → Postgres → BullMQ → worker → Postgres, the round trip an operator can watch. */
@Injectable()
export class ProbesService {
  constructor(
    private readonly probes: ProbeRepository,
    private readonly producer: JobProducer,
  ) {}

  async create(correlationId: string, input: { message?: string; wait?: boolean; workMs?: number }): Promise<ProbeDto> {
    const probe = await this.probes.create(correlationId, input.message);
    // jobId from the probe id: the same probe can never be enqueued twice. (BullMQ forbids ':' in custom ids.)
    const jobId = `probe-${probe.id}`;
    try {
      await this.producer.enqueue('system', 'system.probe', { probeId: probe.id, correlationId, workMs: input.workMs }, { jobId });
    } catch (e) {
      // Nothing half-written: a probe that was never queued is not left behind looking "queued".
      await this.probes.delete(probe.id);
      throw e;
    }
    let current = await this.probes.setJobId(probe.id, jobId);
    if (input.wait) {
      const deadline = Date.now() + WAIT_LIMIT_MS;
      while (current.status !== 'processed' && Date.now() < deadline) {
        await sleep(POLL_MS);
        current = (await this.probes.findById(probe.id)) ?? current;
      }
    }
    return toDto(current);
  }

  async get(id: string): Promise<ProbeDto> {
    const probe = await this.probes.findById(id);
    if (!probe) throw ApiError.notFound('Probe', id);
    return toDto(probe);
  }
}

function toDto(p: Probe): ProbeDto {
  return {
    id: p.id,
    status: p.status,
    correlationId: p.correlationId,
    message: p.message,
    requestedAt: p.requestedAt.toISOString(),
    processedAt: p.processedAt?.toISOString() ?? null,
    processedBy: p.processedBy,
    jobId: p.jobId,
    roundTripMs: p.processedAt ? p.processedAt.getTime() - p.requestedAt.getTime() : null,
  };
}
