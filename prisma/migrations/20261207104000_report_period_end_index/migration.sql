-- Reports of a range of days are read by periodStart. reportingCompleteness also needs the reports
-- begun up to a day before its range that reach into it (periodEnd after the range starts): with
-- periodEnd in the index, the day before is filtered from the index alone instead of reading its
-- whole day of rows (about as many as the range's own) to keep the few that cross midnight.
-- DropIndex
DROP INDEX "CheckpointReport_periodStart_idx";

-- DropIndex
DROP INDEX "OutputReport_periodStart_idx";

-- CreateIndex
CREATE INDEX "CheckpointReport_periodStart_periodEnd_idx" ON "CheckpointReport"("periodStart", "periodEnd");

-- CreateIndex
CREATE INDEX "OutputReport_periodStart_periodEnd_idx" ON "OutputReport"("periodStart", "periodEnd");
