-- CreateTable
CREATE TABLE "graph_subscriptions" (
    "id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "group_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "renewed_at" TIMESTAMPTZ(3),

    CONSTRAINT "graph_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "graph_subscriptions_expires_at_idx" ON "graph_subscriptions"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "graph_subscriptions_tenant_id_group_id_key" ON "graph_subscriptions"("tenant_id", "group_id");
