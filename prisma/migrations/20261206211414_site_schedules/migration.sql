-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN     "closesAtMinute" INTEGER,
ADD COLUMN     "opensAtMinute" INTEGER;

-- AlterTable
ALTER TABLE "ProductionLine" ADD COLUMN     "closedAt" TIMESTAMPTZ(3),
ADD COLUMN     "closesAtMinute" INTEGER,
ADD COLUMN     "openedAt" TIMESTAMPTZ(3),
ADD COLUMN     "opensAtMinute" INTEGER;

-- Opening hours are both set (minutes 0–1439 after local midnight) or both absent (round the clock).
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_opening_hours_check" CHECK (
  ("opensAtMinute" IS NULL AND "closesAtMinute" IS NULL)
  OR ("opensAtMinute" BETWEEN 0 AND 1439 AND "closesAtMinute" BETWEEN 0 AND 1439));
ALTER TABLE "ProductionLine" ADD CONSTRAINT "ProductionLine_opening_hours_check" CHECK (
  ("opensAtMinute" IS NULL AND "closesAtMinute" IS NULL)
  OR ("opensAtMinute" BETWEEN 0 AND 1439 AND "closesAtMinute" BETWEEN 0 AND 1439));
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_open_before_close_check" CHECK ("closedAt" IS NULL OR "openedAt" IS NULL OR "closedAt" > "openedAt");
ALTER TABLE "ProductionLine" ADD CONSTRAINT "ProductionLine_open_before_close_check" CHECK ("closedAt" IS NULL OR "openedAt" IS NULL OR "closedAt" > "openedAt");

-- A line already in the database is expected to report from when it first started producing.
UPDATE "ProductionLine" l SET "openedAt" = COALESCE(
  (SELECT MIN(s.at) FROM "LineStatusChange" s WHERE s."lineId" = l.id AND s."to" = 'PRODUCING'),
  CASE WHEN l.status = 'PRODUCING' THEN l."statusChangedAt" END);
