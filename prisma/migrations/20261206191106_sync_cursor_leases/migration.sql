-- AlterTable
ALTER TABLE "sync_cursors" ADD COLUMN     "lease_owner" TEXT,
ADD COLUMN     "lease_until" TIMESTAMPTZ(3);
