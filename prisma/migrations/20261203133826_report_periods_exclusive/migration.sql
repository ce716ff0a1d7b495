-- (No semicolon in these comments: the PostgreSQL adapter splits the script at every one.)
-- Current report versions (supersededAt null) of one checkpoint, or of one production line, may not
-- overlap in time: the same period reported twice under two idempotency keys counted twice. The
-- database decides, so concurrent reports cannot both get in. Periods are half-open, [start, end):
-- 10:00–11:00 and 11:00–12:00 are adjacent, not overlapping. A correction supersedes its original
-- before it is inserted, so it takes the same period without conflict.
--
-- Overlaps stored before this rule must not make the migration fail, nor may a migration decide
-- which of two figures is right: every current version that overlaps an earlier-stored current
-- version of the same checkpoint (line) is marked predatesOverlapRule and left out of the rule. It
-- stays counted, exactly as before. Correcting it (its corrections keep the mark) is how it is fixed.
-- The earliest-stored version of each overlapping group stays under the rule, so a new report of
-- that period is refused. Find the marked versions with
--   SELECT id, "checkpointId", "periodStart", "periodEnd" FROM "CheckpointReport"
--   WHERE "predatesOverlapRule" AND "supersededAt" IS NULL

-- btree_gist lets a GiST exclusion constraint compare the id columns with =, and it is a trusted
-- extension (PostgreSQL 13+), so a database owner may create it, and PGlite loads it (prisma/src/database.ts).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- AlterTable
ALTER TABLE "CheckpointReport" ADD COLUMN     "predatesOverlapRule" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "OutputReport" ADD COLUMN     "predatesOverlapRule" BOOLEAN NOT NULL DEFAULT false;

UPDATE "CheckpointReport" AS r SET "predatesOverlapRule" = true
WHERE r."supersededAt" IS NULL AND EXISTS (
  SELECT 1 FROM "CheckpointReport" AS e
  WHERE e."checkpointId" = r."checkpointId" AND e."supersededAt" IS NULL AND e.id <> r.id
    AND (e."createdAt", e.id) < (r."createdAt", r.id)
    AND tstzrange(e."periodStart", e."periodEnd") && tstzrange(r."periodStart", r."periodEnd"));

UPDATE "OutputReport" AS r SET "predatesOverlapRule" = true
WHERE r."supersededAt" IS NULL AND EXISTS (
  SELECT 1 FROM "OutputReport" AS e
  WHERE e."lineId" = r."lineId" AND e."supersededAt" IS NULL AND e.id <> r.id
    AND (e."createdAt", e.id) < (r."createdAt", r.id)
    AND tstzrange(e."periodStart", e."periodEnd") && tstzrange(r."periodStart", r."periodEnd"));

ALTER TABLE "CheckpointReport" ADD CONSTRAINT "CheckpointReport_current_period_excl"
  EXCLUDE USING gist ("checkpointId" WITH =, tstzrange("periodStart", "periodEnd") WITH &&)
  WHERE ("supersededAt" IS NULL AND NOT "predatesOverlapRule");

ALTER TABLE "OutputReport" ADD CONSTRAINT "OutputReport_current_period_excl"
  EXCLUDE USING gist ("lineId" WITH =, tstzrange("periodStart", "periodEnd") WITH &&)
  WHERE ("supersededAt" IS NULL AND NOT "predatesOverlapRule");
