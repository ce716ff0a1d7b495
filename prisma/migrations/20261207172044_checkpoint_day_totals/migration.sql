-- Each checkpoint's current reports summed per local day of each registered zone (ReportingZone), so
-- that a day's figures for an area add one row per site instead of reading every report of the day
-- (a province's summary read 238,000 reports a second per instance, issue 21). The totals are kept by
-- statement triggers in the transaction that writes the reports, whatever writes them (the API, the
-- gate settler, the seed, a bench's bulk insert): a correction's UPDATE takes the superseded version
-- out, its INSERT puts the new one in. The server registers its zone and fills the zone's totals when
-- it starts (schema/src/checkpoints/day-totals.ts), and until then readers sum the reports themselves.
-- CreateTable
CREATE TABLE "ReportingZone" (
    "name" TEXT NOT NULL,

    CONSTRAINT "ReportingZone_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "CheckpointDayTotal" (
    "zone" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "checkpointId" TEXT NOT NULL,
    "vehiclesInspected" BIGINT NOT NULL DEFAULT 0,
    "peopleScreened" BIGINT NOT NULL DEFAULT 0,
    "feverCases" BIGINT NOT NULL DEFAULT 0,
    "hubeiLinked" BIGINT NOT NULL DEFAULT 0,
    "referred" BIGINT NOT NULL DEFAULT 0,
    "disinfections" BIGINT NOT NULL DEFAULT 0,
    "reports" INTEGER NOT NULL DEFAULT 0,
    "simulatedReports" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CheckpointDayTotal_pkey" PRIMARY KEY ("zone","day","checkpointId")
);

-- One function for the three triggers: it subtracts the current rows a statement removed (OLD) and
-- adds the current rows it wrote (NEW), grouped per zone, day and checkpoint, in key order so that
-- concurrent statements lock shared totals in the same order. The transition tables are only visible
-- to the trigger function's own statements, hence EXECUTE of one text for both sides. The body is an
-- escape string with every semicolon written \073 and every quote doubled, as in the migration
-- day_approval: the migration runner's PostgreSQL adapter splits a script at each semicolon.
CREATE FUNCTION "CheckpointDayTotal_keep"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  upsert CONSTANT text := ''
    INSERT INTO "CheckpointDayTotal" AS t (zone, day, "checkpointId", "vehiclesInspected", "peopleScreened", "feverCases", "hubeiLinked", "referred", "disinfections", reports, "simulatedReports")
    SELECT z.name, (r."periodStart" AT TIME ZONE z.name)::date, r."checkpointId",
        SUM(k.sign * r."vehiclesInspected"),
        SUM(k.sign * r."peopleScreened"),
        SUM(k.sign * r."feverCases"),
        SUM(k.sign * r."hubeiLinked"),
        SUM(k.sign * r."referred"),
        SUM(k.sign * r."disinfections"),
        SUM(k.sign), SUM(CASE WHEN r.source = ''''SIMULATED'''' THEN k.sign ELSE 0 END)
    FROM %I r CROSS JOIN "ReportingZone" z CROSS JOIN (SELECT %s::int AS sign) k
    WHERE r."supersededAt" IS NULL
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (zone, day, "checkpointId") DO UPDATE SET
        "vehiclesInspected" = t."vehiclesInspected" + EXCLUDED."vehiclesInspected",
        "peopleScreened" = t."peopleScreened" + EXCLUDED."peopleScreened",
        "feverCases" = t."feverCases" + EXCLUDED."feverCases",
        "hubeiLinked" = t."hubeiLinked" + EXCLUDED."hubeiLinked",
        "referred" = t."referred" + EXCLUDED."referred",
        "disinfections" = t."disinfections" + EXCLUDED."disinfections",
        "reports" = t."reports" + EXCLUDED."reports",
        "simulatedReports" = t."simulatedReports" + EXCLUDED."simulatedReports"''\073
BEGIN
  IF TG_OP IN (''UPDATE'', ''DELETE'') THEN
    EXECUTE format(upsert, ''removed'', -1)\073
  END IF\073
  IF TG_OP IN (''INSERT'', ''UPDATE'') THEN
    EXECUTE format(upsert, ''added'', 1)\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER "CheckpointDayTotal_insert" AFTER INSERT ON "CheckpointReport"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "CheckpointDayTotal_keep"();
CREATE TRIGGER "CheckpointDayTotal_update" AFTER UPDATE ON "CheckpointReport"
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "CheckpointDayTotal_keep"();
CREATE TRIGGER "CheckpointDayTotal_delete" AFTER DELETE ON "CheckpointReport"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "CheckpointDayTotal_keep"();
