import { Module } from '@nestjs/common';
import { RolesDomainModule } from '@app/onboarding';
import { RoleTemplatesController } from './role-templates.controller';
import { RoleTemplatesService } from './role-templates.service';
import { TenantRolesController } from './tenant-roles.controller';
import { TenantRolesService } from './tenant-roles.service';
import { DECLARED_ROLES_ON_CREATE } from '../tenants/declared-roles.seam';
import { DeclaredRolesOnCreateProvider } from './declared-roles-on-create';

/** Declared restore operator roles and role templates (issue: roles as declared state). */
@Module({
  imports: [RolesDomainModule],
  controllers: [TenantRolesController, RoleTemplatesController],
  providers: [
    TenantRolesService,
    RoleTemplatesService,
    { provide: DECLARED_ROLES_ON_CREATE, useClass: DeclaredRolesOnCreateProvider },
  ],
  exports: [DECLARED_ROLES_ON_CREATE],
})
export class RolesModule {}
