import { Injectable } from '@nestjs/common';
import { Prisma } from '@app/db';
import { FieldError } from '@app/platform';
import { DeclaredRolesOnCreate } from '../tenants/declared-roles.seam';
import { CreateTenantDto } from '../tenants/tenant-write.dto';
import { TenantRolesService } from './tenant-roles.service';

/**
 * Declared roles in `POST /v1/tenants` (`roles`, `templates`): validated with the tenant's other fields before
 * anything is written, stored in the tenant-creation transaction so a preconsented tenant's first run sees them.
 */
@Injectable()
export class DeclaredRolesOnCreateProvider implements DeclaredRolesOnCreate {
  constructor(private readonly roles: TenantRolesService) {}

  async check(body: CreateTenantDto): Promise<FieldError[]> {
    if (!body.roles && !body.templates) return [];
    return this.roles.check(
      { roles: body.roles ?? [], templates: body.templates },
      { displayName: body.displayName, primaryDomain: body.domain?.toLowerCase() ?? null },
    );
  }

  async apply(
    tx: Prisma.TransactionClient,
    tenantId: string,
    body: CreateTenantDto,
    who: { actor: string; correlationId: string },
  ): Promise<void> {
    if (!body.roles && !body.templates) return;
    await this.roles.replaceIn(
      tx,
      { id: tenantId, displayName: body.displayName, primaryDomain: body.domain?.toLowerCase() ?? null },
      { roles: body.roles ?? [], templates: body.templates },
      who.actor,
      who.correlationId,
    );
  }
}
