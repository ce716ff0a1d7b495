-- A site's current reports (supersededAt null) as an index of their own, newest period end first:
-- lastReportAt and isStale read its first entry per site, and a history's totalCount counts a
-- site's entries without visiting the table (an index-only scan once vacuumed). Partial, so
-- superseded versions neither lengthen the walk nor the count. Written by hand: Prisma's schema
-- cannot state a partial index. It replaces the index over every version.
DROP INDEX "CheckpointReport_checkpointId_periodEnd_idx";

CREATE INDEX "CheckpointReport_current_checkpointId_periodEnd_idx" ON "CheckpointReport"("checkpointId", "periodEnd" DESC) WHERE "supersededAt" IS NULL;

CREATE INDEX "OutputReport_current_lineId_periodEnd_idx" ON "OutputReport"("lineId", "periodEnd" DESC) WHERE "supersededAt" IS NULL;
