-- CreateEnum
CREATE TYPE "GatePassStatus" AS ENUM ('ACTIVE', 'SUSPENDED', 'REVOKED');

-- CreateEnum
CREATE TYPE "GateScanDirection" AS ENUM ('IN', 'OUT');

-- CreateEnum
CREATE TYPE "GateScanVerdict" AS ENUM ('VALID', 'SUSPENDED', 'REVOKED', 'OTHER_COMPOUND', 'UNKNOWN');

-- CreateTable
CREATE TABLE "GateHousehold" (
    "id" TEXT NOT NULL,
    "compoundId" TEXT NOT NULL,
    "room" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GateHousehold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatePass" (
    "id" TEXT NOT NULL,
    "householdId" TEXT NOT NULL,
    "compoundId" TEXT NOT NULL,
    "holderName" TEXT NOT NULL,
    "holderPhone" TEXT NOT NULL,
    "phoneDigits" TEXT NOT NULL,
    "status" "GatePassStatus" NOT NULL DEFAULT 'ACTIVE',
    "statusReason" TEXT,
    "statusChangedAt" TIMESTAMPTZ(3),
    "issuedBy" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GatePass_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GateScan" (
    "id" TEXT NOT NULL,
    "checkpointId" TEXT NOT NULL,
    "passId" TEXT,
    "codeHash" TEXT NOT NULL,
    "direction" "GateScanDirection" NOT NULL,
    "temperature" DOUBLE PRECISION,
    "scannedAt" TIMESTAMPTZ(3) NOT NULL,
    "verdict" "GateScanVerdict" NOT NULL,
    "deviceVerdict" "GateScanVerdict",
    "recordedBy" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "payloadHash" TEXT NOT NULL,
    "rolledUp" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GateScan_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "GateHousehold_compoundId_idx" ON "GateHousehold"("compoundId");

-- CreateIndex
CREATE INDEX "GatePass_compoundId_idx" ON "GatePass"("compoundId");

-- CreateIndex
CREATE INDEX "GatePass_compoundId_phoneDigits_idx" ON "GatePass"("compoundId", "phoneDigits");

-- CreateIndex
CREATE UNIQUE INDEX "GateScan_idempotencyKey_key" ON "GateScan"("idempotencyKey");

-- CreateIndex
CREATE INDEX "GateScan_checkpointId_scannedAt_idx" ON "GateScan"("checkpointId", "scannedAt");

-- CreateIndex
CREATE INDEX "GateScan_passId_scannedAt_idx" ON "GateScan"("passId", "scannedAt");

-- CreateIndex
CREATE INDEX "GateScan_rolledUp_checkpointId_idx" ON "GateScan"("rolledUp", "checkpointId");

-- AddForeignKey
ALTER TABLE "GateHousehold" ADD CONSTRAINT "GateHousehold_compoundId_fkey" FOREIGN KEY ("compoundId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatePass" ADD CONSTRAINT "GatePass_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "GateHousehold"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GateScan" ADD CONSTRAINT "GateScan_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GateScan" ADD CONSTRAINT "GateScan_passId_fkey" FOREIGN KEY ("passId") REFERENCES "GatePass"("id") ON DELETE SET NULL ON UPDATE CASCADE;
