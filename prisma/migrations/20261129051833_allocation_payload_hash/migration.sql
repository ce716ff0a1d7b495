-- AlterTable
ALTER TABLE "Allocation" ADD COLUMN     "payloadHash" TEXT;
