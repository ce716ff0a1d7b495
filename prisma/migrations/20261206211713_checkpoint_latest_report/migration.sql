-- CreateIndex
CREATE INDEX "CheckpointReport_checkpointId_periodEnd_idx" ON "CheckpointReport"("checkpointId", "periodEnd" DESC);
