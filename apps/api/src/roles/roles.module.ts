import { Module } from '@nestjs/common';
import { RolesDomainModule } from '@app/onboarding';
import { RoleTemplatesController } from './role-templates.controller';
import { RoleTemplatesService } from './role-templates.service';
import { TenantRolesController } from './tenant-roles.controller';
import { TenantRolesService } from './tenant-roles.service';

/** Declared restore operator roles and role templates (issue: roles as declared state). */
@Module({
  imports: [RolesDomainModule],
  controllers: [TenantRolesController, RoleTemplatesController],
  providers: [TenantRolesService, RoleTemplatesService],
})
export class RolesModule {}
