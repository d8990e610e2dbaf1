import { Module } from '@nestjs/common';
import { RoleDeclarations } from './role-declarations.repository';
import { RoleReconciler } from './role-reconciler.service';

/**
 * Declared restore operator roles kept true on VB365. Needs PrismaService (DbModule) and OutsideClients
 * (OutsideClientsModule), both global. The worker binds the run engine's roles port to RoleReconciler.
 */
@Module({
  providers: [RoleDeclarations, RoleReconciler],
  exports: [RoleDeclarations, RoleReconciler],
})
export class RolesDomainModule {}
