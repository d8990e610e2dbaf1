import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { RolesDomainModule } from '../roles/roles-domain.module';
import { RunLauncher } from '../runs/run-launcher.service';
import { ChangeFeedPoller } from './change-feed-poller.service';
import { SyncScheduler } from './sync-scheduler.service';
import { TenantSync } from './tenant-sync.service';

/** Scheduled tenant sync: schedulers, drift checks and audit pulls (issue 7). */
@Module({
  imports: [AuditModule, RolesDomainModule],
  providers: [SyncScheduler, TenantSync, RunLauncher, ChangeFeedPoller],
  exports: [SyncScheduler, TenantSync, ChangeFeedPoller, AuditModule],
})
export class SyncDomainModule {}
