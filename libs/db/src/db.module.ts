import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { ProbeRepository } from './repositories/probe.repository';
import { TenantRepository } from './repositories/tenant.repository';

const providers = [PrismaService, ApiKeyRepository, TenantRepository, ProbeRepository];

@Global()
@Module({ providers, exports: providers })
export class DbModule {}
