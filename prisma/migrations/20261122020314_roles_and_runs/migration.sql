-- CreateEnum
CREATE TYPE "RoleDriftMode" AS ENUM ('report', 'repair');

-- CreateEnum
CREATE TYPE "RoleScope" AS ENUM ('entire_organization', 'specific_objects');

-- CreateEnum
CREATE TYPE "RunKind" AS ENUM ('onboard', 'resync', 'offboard');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'awaiting_consent', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "StepStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'skipped');

-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "consented_at" TIMESTAMPTZ(3),
ADD COLUMN     "parked_at" TIMESTAMPTZ(3),
ADD COLUMN     "role_drift" JSONB,
ADD COLUMN     "role_drift_checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "role_drift_mode" "RoleDriftMode" NOT NULL DEFAULT 'report',
ADD COLUMN     "roles_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "roles_reconciled_at" TIMESTAMPTZ(3),
ADD COLUMN     "status_reason" TEXT;

-- CreateTable
CREATE TABLE "role_specs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scope" "RoleScope" NOT NULL,
    "operators" JSONB NOT NULL,
    "selected_items" JSONB NOT NULL,
    "excluded_items" JSONB NOT NULL,
    "adopt" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_specs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_templates" (
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scope" "RoleScope" NOT NULL,
    "operators" JSONB NOT NULL,
    "selected_items" JSONB NOT NULL,
    "excluded_items" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_templates_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "tenant_role_templates" (
    "tenant_id" UUID NOT NULL,
    "template_name" TEXT NOT NULL,
    "overrides" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "tenant_role_templates_pkey" PRIMARY KEY ("tenant_id","template_name")
);

-- CreateTable
CREATE TABLE "owned_vb365_roles" (
    "vb365_role_id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "last_applied" JSONB,
    "last_applied_at" TIMESTAMPTZ(3),
    "adopted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "owned_vb365_roles_pkey" PRIMARY KEY ("vb365_role_id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" "RunKind" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "active_tenant_id" UUID,
    "batch_id" UUID,
    "correlation_id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "options" JSONB NOT NULL DEFAULT '{}',
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "error_code" TEXT,
    "error_hint" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_steps" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "status" "StepStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error_code" TEXT,
    "error_hint" TEXT,
    "error_message" TEXT,
    "changes" JSONB NOT NULL DEFAULT '[]',
    "output" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "run_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batches" (
    "id" UUID NOT NULL,
    "kind" "RunKind" NOT NULL,
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "requested_by" TEXT NOT NULL,
    "selection" JSONB NOT NULL,
    "total" INTEGER NOT NULL,
    "skipped" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_states" (
    "nonce" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_states_pkey" PRIMARY KEY ("nonce")
);

-- CreateTable
CREATE TABLE "activity_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "tenant_id" UUID,
    "run_id" UUID,
    "correlation_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "activity_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "role_specs_tenant_id_name_key" ON "role_specs"("tenant_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "owned_vb365_roles_tenant_id_name_key" ON "owned_vb365_roles"("tenant_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "runs_active_tenant_id_key" ON "runs"("active_tenant_id");

-- CreateIndex
CREATE INDEX "runs_tenant_id_created_at_idx" ON "runs"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "runs_batch_id_status_idx" ON "runs"("batch_id", "status");

-- CreateIndex
CREATE INDEX "runs_status_updated_at_idx" ON "runs"("status", "updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "run_steps_run_id_name_key" ON "run_steps"("run_id", "name");

-- CreateIndex
CREATE INDEX "consent_states_tenant_id_idx" ON "consent_states"("tenant_id");

-- CreateIndex
CREATE INDEX "activity_log_tenant_id_at_idx" ON "activity_log"("tenant_id", "at");

-- CreateIndex
CREATE INDEX "activity_log_at_idx" ON "activity_log"("at");

-- AddForeignKey
ALTER TABLE "role_specs" ADD CONSTRAINT "role_specs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_role_templates" ADD CONSTRAINT "tenant_role_templates_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_role_templates" ADD CONSTRAINT "tenant_role_templates_template_name_fkey" FOREIGN KEY ("template_name") REFERENCES "role_templates"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "owned_vb365_roles" ADD CONSTRAINT "owned_vb365_roles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_states" ADD CONSTRAINT "consent_states_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
