import { Injectable } from '@nestjs/common';
import { ApiKey } from '../generated/client';
import { PrismaService } from '../prisma.service';

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  findActiveByPrefix(prefix: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findFirst({ where: { prefix, revokedAt: null } });
  }
}
