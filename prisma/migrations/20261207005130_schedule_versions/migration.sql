-- CreateTable
CREATE TABLE "SiteScheduleVersion" (
    "siteKind" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "validUntil" TIMESTAMPTZ(3) NOT NULL,
    "reportIntervalMinutes" INTEGER NOT NULL,
    "opensAtMinute" INTEGER,
    "closesAtMinute" INTEGER,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SiteScheduleVersion_pkey" PRIMARY KEY ("siteKind","siteId","validUntil")
);

-- A change of a site's schedule keeps the schedule it replaces, in force until the change: past
-- days' expected reports stay what they were (reportingCompleteness reads the versions). The change
-- takes effect at the transaction's time, or at `fangkong.schedule_changed_at` when the writer sets
-- it (SET LOCAL, e.g. to the server's own clock). Two changes at one instant keep the first version.
-- The body is an escape string with every semicolon written \073 (the migration runner's PostgreSQL
-- adapter splits a script at each semicolon, dollar quotes included).
CREATE FUNCTION fangkong_keep_schedule_version() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF (OLD."reportIntervalMinutes", OLD."opensAtMinute", OLD."closesAtMinute")
     IS DISTINCT FROM (NEW."reportIntervalMinutes", NEW."opensAtMinute", NEW."closesAtMinute") THEN
    INSERT INTO "SiteScheduleVersion" ("siteKind", "siteId", "validUntil", "reportIntervalMinutes", "opensAtMinute", "closesAtMinute")
    VALUES (TG_ARGV[0], OLD.id, COALESCE(NULLIF(current_setting(''fangkong.schedule_changed_at'', true), '''')::timestamptz, now()),
      OLD."reportIntervalMinutes", OLD."opensAtMinute", OLD."closesAtMinute")
    ON CONFLICT DO NOTHING\073
  END IF\073
  RETURN NEW\073
END
';

CREATE TRIGGER "Checkpoint_keep_schedule_version" AFTER UPDATE OF "reportIntervalMinutes", "opensAtMinute", "closesAtMinute" ON "Checkpoint"
  FOR EACH ROW EXECUTE FUNCTION fangkong_keep_schedule_version('CHECKPOINT');
CREATE TRIGGER "ProductionLine_keep_schedule_version" AFTER UPDATE OF "reportIntervalMinutes", "opensAtMinute", "closesAtMinute" ON "ProductionLine"
  FOR EACH ROW EXECUTE FUNCTION fangkong_keep_schedule_version('PRODUCTION_LINE');
