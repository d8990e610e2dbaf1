-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "consent_drift" JSONB,
ADD COLUMN     "consent_drift_mode" "RoleDriftMode" NOT NULL DEFAULT 'report',
ADD COLUMN     "last_sync_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_sync_error" TEXT,
ADD COLUMN     "last_sync_result" TEXT,
ADD COLUMN     "sync_interval_minutes" INTEGER;

-- CreateTable (hand-edited: partitioned by month on occurred_at, see docs/audit.md "Partitioning").
-- Prisma cannot declare partitions: the columns, primary key and indexes below are exactly what schema.prisma
-- declares, so `prisma migrate diff` sees no difference
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT,
    "action" TEXT NOT NULL,
    "item_type" TEXT,
    "item_name" TEXT,
    "result" TEXT,
    "version" BIGINT NOT NULL DEFAULT 0,
    "details" JSONB NOT NULL DEFAULT '{}',
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("occurred_at","id")
) PARTITION BY RANGE ("occurred_at");

-- Rows outside every monthly partition land here instead of failing the insert. Monthly partitions are created
-- (and rows moved out of this one) by the audit maintenance job, libs/audit/src/audit-partitions.ts: the migration
-- runner splits scripts on semicolons, so no PL/pgSQL can live here.
CREATE TABLE "audit_events_default" PARTITION OF "audit_events" DEFAULT;

-- CreateTable
CREATE TABLE "sync_cursors" (
    "scope" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "watermark" TIMESTAMPTZ(3),
    "boundary_ids" JSONB NOT NULL DEFAULT '{}',
    "change_token" TEXT,
    "open_items" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sync_cursors_pkey" PRIMARY KEY ("scope","source")
);

-- CreateIndex
CREATE INDEX "audit_events_tenant_id_occurred_at_id_idx" ON "audit_events"("tenant_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_source_external_id_occurred_at_key" ON "audit_events"("source", "external_id", "occurred_at");
