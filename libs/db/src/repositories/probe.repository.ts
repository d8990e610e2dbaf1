import { Injectable } from '@nestjs/common';
import { Probe } from '../generated/client';
import { PrismaService } from '../prisma.service';

@Injectable()
export class ProbeRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(correlationId: string, message?: string): Promise<Probe> {
    return this.prisma.probe.create({ data: { correlationId, message } });
  }

  setJobId(id: string, jobId: string): Promise<Probe> {
    return this.prisma.probe.update({ where: { id }, data: { jobId } });
  }

  async delete(id: string): Promise<void> {
    await this.prisma.probe.deleteMany({ where: { id } });
  }

  findById(id: string): Promise<Probe | null> {
    return this.prisma.probe.findUnique({ where: { id } });
  }

  /** Idempotent under at-least-once delivery: only the first processing is recorded. */
  async markProcessed(id: string, processedBy: string): Promise<boolean> {
    const { count } = await this.prisma.probe.updateMany({
      where: { id, status: 'queued' },
      data: { status: 'processed', processedAt: new Date(), processedBy },
    });
    return count === 1;
  }
}
