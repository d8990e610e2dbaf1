import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { JobsModule } from '@app/jobs';
import { LoggingModule, MetricsService, ProblemFilter } from '@app/platform';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyService } from './auth/api-key.service';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { BodyShapeInterceptor } from './hostile-input/body-shape.interceptor';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { ProbesController } from './probes/probes.controller';
import { ProbesService } from './probes/probes.service';
import { ConsentModule } from './consent/consent.module';
import { RolesModule } from './roles/roles.module';
import { RunsModule } from './runs/runs.module';
import { TenantsModule } from './tenants/tenants.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { ActivityModule } from './activity/activity.module';
import { AuditApiModule } from './audit/audit-api.module';
import { OutsideClientsModule } from '@app/onboarding';

@Module({
  imports: [
    ConfigModule,
    LoggingModule.forApp('api'),
    DbModule,
    JobsModule.forRoot(),
    TerminusModule.forRoot({ errorLogStyle: 'pretty', gracefulShutdownTimeoutMs: 0 }),
    OutsideClientsModule,
    TenantsModule,
    RolesModule,
    ConsentModule,
    RunsModule,
    WebhooksModule,
    ActivityModule,
    AuditApiModule,
  ],
  controllers: [HealthController, MetricsController, ProbesController],
  providers: [
    ApiKeyService,
    ProbesService,
    MetricsService,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    // After ApiKeyGuard (guards run in registration order): the limit is per authenticated key.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: BodyShapeInterceptor },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class AppModule {}
