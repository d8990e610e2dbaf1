-- CreateEnum
CREATE TYPE "TenantStatus" AS ENUM ('awaiting_consent', 'onboarding', 'active', 'consent_revoked', 'failed', 'offboarding', 'offboarded');

-- CreateEnum
CREATE TYPE "ConsentMode" AS ENUM ('admin_consent_link', 'preconsented');

-- CreateEnum
CREATE TYPE "ProbeStatus" AS ENUM ('queued', 'processed');

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "entra_tenant_id" UUID,
    "primary_domain" TEXT,
    "display_name" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "status" "TenantStatus" NOT NULL DEFAULT 'awaiting_consent',
    "consent_mode" "ConsentMode" NOT NULL DEFAULT 'admin_consent_link',
    "vb365_organization_id" TEXT,
    "retention_days" INTEGER NOT NULL DEFAULT 365,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "tenant_tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "probes" (
    "id" UUID NOT NULL,
    "status" "ProbeStatus" NOT NULL DEFAULT 'queued',
    "correlation_id" TEXT NOT NULL,
    "message" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "processed_by" TEXT,
    "job_id" TEXT,

    CONSTRAINT "probes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_entra_tenant_id_key" ON "tenants"("entra_tenant_id");

-- CreateIndex
CREATE INDEX "tenants_status_idx" ON "tenants"("status");

-- CreateIndex
CREATE INDEX "tenants_tags_idx" ON "tenants" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");
