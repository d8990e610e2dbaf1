import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { ProbeRepository } from '@app/db';
import { ProbeJob } from '@app/jobs';
import { sleep } from '@app/common';

/** Marks a probe processed; testable without BullMQ. */
@Injectable()
export class ProbeHandler {
  private readonly instance = `${hostname()}#${process.pid}`;

  constructor(private readonly probes: ProbeRepository) {}

  async handle(data: ProbeJob): Promise<{ recorded: boolean }> {
    if (data.workMs) await sleep(data.workMs);
    return { recorded: await this.probes.markProcessed(data.probeId, this.instance) };
  }
}
