import { Module } from '@nestjs/common';
import { AuditDb } from './audit-db';
import { AuditQueryRepository } from './audit-query.repository';

@Module({ providers: [AuditDb, AuditQueryRepository], exports: [AuditDb, AuditQueryRepository] })
export class AuditModule {}
