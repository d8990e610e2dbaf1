-- DropIndex
DROP INDEX "audit_events_tenant_actor_idx";

-- DropIndex
DROP INDEX "audit_events_tenant_item_trgm_idx";

-- CreateIndex
CREATE INDEX "audit_events_search_idx" ON "audit_events" USING GIN ("tenant_id" uuid_ops, "actor" text_ops, "item_name" gin_trgm_ops);
