import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  ActivityContext,
  Prisma,
  PrismaService,
  Run,
  Tenant,
  TenantPatch,
  TenantRepository,
  TenantScope,
} from '@app/db';
import { RunLauncher, SyncScheduler } from '@app/onboarding';
import { ApiError, FieldError } from '@app/platform';
import { DECLARED_ROLES_ON_CREATE, DeclaredRolesOnCreate } from './declared-roles.seam';
import { EntraDomainResolver } from './entra-domain.resolver';
import { TenantDto } from './tenant.dto';
import { CreatedTenantDto, CreateTenantDto, UpdateTenantDto } from './tenant-write.dto';

const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

/** A tag-restricted key must keep every tenant it writes inside its own restriction, or it would lose sight of it. */
function scopeErrors(scope: TenantScope, tags: readonly string[]): FieldError[] {
  if (!scope.tags.length || tags.some((t) => scope.tags.includes(t))) return [];
  return [
    { field: 'tags', message: `must include at least one of this API key's tags (${scope.tags.join(', ')})` },
  ];
}

function toPatch(body: UpdateTenantDto | CreateTenantDto): TenantPatch {
  return {
    displayName: body.displayName,
    tags: body.tags && [...new Set(body.tags)],
    excluded: body.excluded,
    consentMode:
      body.consentMode && (body.consentMode === 'preconsented' ? 'preconsented' : 'admin_consent_link'),
    retentionDays: body.retentionDays,
    roleDriftMode: body.driftMode,
    consentDriftMode: body.consentDriftMode,
    syncIntervalMinutes: body.syncIntervalMinutes,
  };
}

/** Tenant registration, changes and removal; every mutation is recorded in activity_log in its transaction. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenants: TenantRepository,
    private readonly launcher: RunLauncher,
    private readonly domains: EntraDomainResolver,
    private readonly scheduler: SyncScheduler,
    @Optional() @Inject(DECLARED_ROLES_ON_CREATE) private readonly declaredRoles?: DeclaredRolesOnCreate,
  ) {}

  async create(scope: TenantScope, body: CreateTenantDto, who: ActivityContext): Promise<CreatedTenantDto> {
    const patch = toPatch(body);
    const tags = patch.tags ?? [];
    const errors = scopeErrors(scope, tags);
    let entraTenantId = body.entraTenantId?.toLowerCase();
    if (body.domain) {
      const resolved = await this.domains.resolve(body.domain);
      if (!resolved.ok) errors.push({ field: 'domain', message: resolved.message });
      else if (entraTenantId && entraTenantId !== resolved.entraTenantId) {
        errors.push({
          field: 'domain',
          message: `belongs to Entra tenant ${resolved.entraTenantId}, not to entraTenantId`,
        });
      } else entraTenantId = resolved.entraTenantId;
    }
    if (this.declaredRoles) errors.push(...(await this.declaredRoles.check(body)));
    if (errors.length || !entraTenantId) throw ApiError.validation(errors);

    const preconsented = patch.consentMode === 'preconsented';
    let created: { tenant: Tenant; run: Run | null };
    try {
      created = await this.prisma.$transaction(async (tx) => {
        const tenant = await this.tenants.create(
          tx,
          {
            entraTenantId,
            primaryDomain: body.domain?.toLowerCase() ?? null,
            displayName: body.displayName,
            tags,
            excluded: patch.excluded ?? false,
            consentMode: patch.consentMode ?? 'admin_consent_link',
            // Preconsented (GDAP / Partner Center) tenants need no link: onboarding starts now, in this transaction.
            status: preconsented ? 'onboarding' : 'awaiting_consent',
            retentionDays: patch.retentionDays,
            roleDriftMode: patch.roleDriftMode,
            consentDriftMode: patch.consentDriftMode,
            syncIntervalMinutes: patch.syncIntervalMinutes,
          },
          who,
        );
        if (this.declaredRoles) await this.declaredRoles.apply(tx, tenant.id, body, who);
        const run = preconsented
          ? await this.launcher.create(
              tenant.id,
              { kind: 'onboard', requestedBy: who.actor, correlationId: who.correlationId },
              tx,
            )
          : null;
        return { tenant, run };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw await this.duplicate(scope, entraTenantId);
      throw e;
    }
    // Enqueued after commit so the worker never sees a job for a run it cannot read. The job id is the run's, so
    // enqueueing again later (retry, reaper) cannot duplicate it.
    if (created.run) await this.launcher.enqueue(created.run);
    const { run } = created;
    return {
      ...TenantDto.from(created.tenant),
      run: run && { id: run.id, kind: run.kind, status: run.status },
    };
  }

  async update(
    scope: TenantScope,
    id: string,
    body: UpdateTenantDto,
    who: ActivityContext,
  ): Promise<TenantDto> {
    const patch = toPatch(body);
    const errors: FieldError[] = patch.tags ? scopeErrors(scope, patch.tags) : [];
    if (Object.values(patch).every((v) => v === undefined))
      errors.push({ field: 'body', message: 'give at least one field to change' });
    if (errors.length) throw ApiError.validation(errors);
    const updated = await this.tenants.update(scope, id, patch, who);
    if (!updated) throw ApiError.notFound('Tenant', id);
    // The schedule follows the settings at once (not at the next daily reconciliation). Committed first: if Redis is
    // down this fails the request, and the worker's reconciliation (start, daily) still converges Redis to Postgres.
    if (patch.syncIntervalMinutes !== undefined || patch.excluded !== undefined) await this.scheduler.apply(updated);
    return TenantDto.from(updated);
  }

  async remove(scope: TenantScope, id: string, who: ActivityContext): Promise<TenantDto> {
    const result = await this.tenants.deleteIfRemovable(scope, id, who);
    if (!result) throw ApiError.notFound('Tenant', id);
    if ('deleted' in result) return TenantDto.from(result.deleted);
    const offboard = `Offboard it first (POST /v1/tenants/${id}/runs with {"kind":"offboard"}), then delete it once it is offboarded.`;
    const b = result.blocker;
    switch (b.kind) {
      case 'active_run':
        throw new ApiError('CONFLICT', `Run ${b.runId} is active for this tenant.`, {
          activeRunId: b.runId,
          hint: `Wait for the run to finish or cancel it (POST /v1/runs/${b.runId}/cancel), then delete.`,
        });
      case 'status':
        throw new ApiError(
          'CONFLICT',
          `The tenant is ${b.status}: the product may have changed things in it.`,
          { tenantStatus: b.status, hint: offboard },
        );
      case 'owned_roles':
        throw new ApiError('CONFLICT', `The tenant owns ${b.count} VB365 restore operator role(s).`, {
          hint: offboard,
        });
    }
  }

  /** 409 naming the existing tenant, unless the caller's key cannot see it (then its existence is all it learns). */
  private async duplicate(scope: TenantScope, entraTenantId: string): Promise<ApiError> {
    const existing = await this.tenants.findByEntraTenantId(entraTenantId);
    const visible = existing && (await this.tenants.findById(scope, existing.id));
    return visible
      ? new ApiError(
          'CONFLICT',
          `Entra tenant ${entraTenantId} is already registered as tenant ${visible.id}.`,
          { existingTenantId: visible.id },
        )
      : new ApiError(
          'CONFLICT',
          `Entra tenant ${entraTenantId} is already registered (not visible to this API key).`,
        );
  }
}
