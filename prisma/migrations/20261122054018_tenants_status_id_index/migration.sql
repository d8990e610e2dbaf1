-- DropIndex
DROP INDEX "tenants_status_idx";

-- CreateIndex
CREATE INDEX "tenants_status_id_idx" ON "tenants"("status", "id");
