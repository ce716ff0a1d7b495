-- DropIndex
DROP INDEX "CheckpointReport_checkpointId_periodStart_idx";

-- DropIndex
DROP INDEX "OutputReport_lineId_periodStart_idx";

-- CreateIndex
CREATE INDEX "CheckpointReport_checkpointId_periodStart_id_idx" ON "CheckpointReport"("checkpointId", "periodStart", "id");

-- CreateIndex
CREATE INDEX "OutputReport_lineId_periodStart_id_idx" ON "OutputReport"("lineId", "periodStart", "id");

-- A page of one site's history is read inside a LATERAL join, planned once for every site of the
-- list, with the table's statistics for "some site": with few sites on record (eight checkpoints
-- holding a million reports) the planner takes each site for an eighth of the table and walks the
-- zone-wide periodStart index backwards, filtering for the site, which for a site with no reports
-- (a closed or new one) is the whole table (22 s for a page of 50 checkpoints over 1,000,000
-- reports on PostgreSQL). Sites are many over the platform's life, and saying so keeps every site's
-- page on its own index (0.4 ms). ANALYZE keeps the setting.
ALTER TABLE "CheckpointReport" ALTER COLUMN "checkpointId" SET (n_distinct = 10000);

ALTER TABLE "OutputReport" ALTER COLUMN "lineId" SET (n_distinct = 1000);
