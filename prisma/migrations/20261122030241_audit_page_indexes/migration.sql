-- DropIndex
DROP INDEX "audit_events_tenant_id_occurred_at_id_idx";

-- CreateIndex
CREATE INDEX "audit_events_tenant_page_idx" ON "audit_events"("tenant_id", "occurred_at" DESC, "id" DESC, "action", "result", "source", "item_type", "actor");

-- CreateIndex
CREATE INDEX "audit_events_tenant_actor_idx" ON "audit_events"("tenant_id", "actor", "occurred_at" DESC, "id" DESC);
