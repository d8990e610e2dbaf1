import { Prisma } from '@app/db';
import { FieldError } from '@app/platform';
import { CreateTenantDto } from './tenant-write.dto';

/**
 * The seam for declared restore operator roles in `POST /v1/tenants` (issue 5 owns roles; this file only fixes
 * where they plug in). The roles feature adds its fields to CreateTenantDto and provides this token from
 * TenantsModule's imports; TenantsService then
 *   1. calls `check` before anything is written (field errors named `roles.0.name`, `templates.1`, ... are merged
 *      with the other field errors, so a bad request stores nothing), and
 *   2. calls `apply` inside the tenant-creation transaction, after the tenant row exists and before an onboarding
 *      run is created, so a preconsented tenant's first run already sees its declared roles.
 * Without a provider, no roles are declared at creation (`PUT /v1/tenants/{id}/restore-operator-roles` later).
 */
export const DECLARED_ROLES_ON_CREATE = Symbol('DECLARED_ROLES_ON_CREATE');

export interface DeclaredRolesOnCreate {
  check(body: CreateTenantDto): Promise<FieldError[]>;
  apply(
    tx: Prisma.TransactionClient,
    tenantId: string,
    body: CreateTenantDto,
    who: { actor: string; correlationId: string },
  ): Promise<void>;
}
