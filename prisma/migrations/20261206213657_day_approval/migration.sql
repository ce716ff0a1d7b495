-- CreateTable
CREATE TABLE "DayApproval" (
    "id" TEXT NOT NULL,
    "areaId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "dayStart" TIMESTAMPTZ(3) NOT NULL,
    "dayEnd" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL,
    "approvedBy" TEXT NOT NULL,
    "approvedAt" TIMESTAMPTZ(3) NOT NULL,
    "asOfSeq" BIGINT NOT NULL,
    "totals" JSONB NOT NULL,
    "reopenedBy" TEXT,
    "reopenedAt" TIMESTAMPTZ(3),
    "reopenReason" TEXT,

    CONSTRAINT "DayApproval_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DayApproval_dayStart_idx" ON "DayApproval"("dayStart");

-- CreateIndex
CREATE UNIQUE INDEX "DayApproval_areaId_day_version_key" ON "DayApproval"("areaId", "day", "version");

-- AddForeignKey
ALTER TABLE "DayApproval" ADD CONSTRAINT "DayApproval_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- At most one version of an area's day stands (is not reopened) at a time.
CREATE UNIQUE INDEX "DayApproval_standing_key" ON "DayApproval"("areaId", "day") WHERE "reopenedAt" IS NULL;

-- A day approved for an area is locked: a report or correction (a new version is an INSERT) of a
-- site in that area or below it, whose period starts in the day, is refused with SQLSTATE FKDLK
-- (the API answers DayLockedError). The database decides, so no write path can forget it.
-- The body is an escape string with every semicolon written \073: the migration runner's PostgreSQL
-- adapter splits a script at each semicolon, dollar quotes included.
CREATE FUNCTION "refuse_report_in_approved_day"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  site_path text\073
  standing record\073
BEGIN
  IF TG_TABLE_NAME = ''CheckpointReport'' THEN
    SELECT a.path INTO site_path FROM "Checkpoint" c JOIN "Area" a ON a.id = c."areaId" WHERE c.id = NEW."checkpointId"\073
  ELSE
    SELECT a.path INTO site_path FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" JOIN "Area" a ON a.id = e."areaId" WHERE l.id = NEW."lineId"\073
  END IF\073
  IF site_path IS NULL THEN
    RETURN NEW\073
  END IF\073
  SELECT ap."areaId", ap.day, ap.version INTO standing
  FROM "DayApproval" ap JOIN "Area" a ON a.id = ap."areaId"
  WHERE ap."reopenedAt" IS NULL AND NEW."periodStart" >= ap."dayStart" AND NEW."periodStart" < ap."dayEnd"
    AND site_path LIKE a.path || ''%''
  LIMIT 1\073
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = ''FKDLK'', MESSAGE = ''day approved and locked'',
      DETAIL = json_build_object(''areaId'', standing."areaId", ''day'', standing.day, ''version'', standing.version)::text\073
  END IF\073
  RETURN NEW\073
END
';

CREATE TRIGGER "CheckpointReport_refuse_in_approved_day" BEFORE INSERT ON "CheckpointReport"
  FOR EACH ROW EXECUTE FUNCTION "refuse_report_in_approved_day"();
CREATE TRIGGER "OutputReport_refuse_in_approved_day" BEFORE INSERT ON "OutputReport"
  FOR EACH ROW EXECUTE FUNCTION "refuse_report_in_approved_day"();
