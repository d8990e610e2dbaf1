export * from './generated/client';
export * from './db.module';
export * from './prisma.service';
export * from './tenant-scope';
export * from './repositories/api-key.repository';
export * from './repositories/probe.repository';
export * from './repositories/tenant.repository';
export * from './migrations';
