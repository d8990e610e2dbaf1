import { Module } from '@nestjs/common';
import { SyncScheduler } from '@app/onboarding';
import { RolesModule } from '../roles/roles.module';
import { RunsModule } from '../runs/runs.module';
import { EntraDomainResolver } from './entra-domain.resolver';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  imports: [RunsModule, RolesModule],
  controllers: [TenantsController],
  providers: [TenantsService, EntraDomainResolver, SyncScheduler],
})
export class TenantsModule {}
