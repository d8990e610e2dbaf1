-- Item-name substring search (docs/audit.md): pg_trgm trigrams plus btree_gin for the tenant column, both
-- PostgreSQL contrib and trusted extensions, so the database owner may create them
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- DropIndex
DROP INDEX "audit_events_tenant_page_idx";

-- CreateTable
CREATE TABLE "audit_trigram_stats" (
    "trigram" TEXT NOT NULL,
    "frequency" REAL NOT NULL,

    CONSTRAINT "audit_trigram_stats_pkey" PRIMARY KEY ("trigram")
);

-- CreateIndex
CREATE INDEX "audit_events_tenant_page_idx" ON "audit_events"("tenant_id", "occurred_at" DESC, "id" DESC, "action", "result", "source", "item_type");

-- CreateIndex
CREATE INDEX "audit_events_tenant_item_trgm_idx" ON "audit_events" USING GIN ("tenant_id" uuid_ops, "item_name" gin_trgm_ops);
