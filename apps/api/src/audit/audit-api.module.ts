import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuditEventsController } from './audit-events.controller';

@Module({ imports: [AuditModule], controllers: [AuditEventsController] })
export class AuditApiModule {}
