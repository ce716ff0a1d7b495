-- CreateTable
CREATE TABLE "Briefing" (
    "id" TEXT NOT NULL,
    "areaId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "asOfSeq" BIGINT NOT NULL,
    "basis" TEXT NOT NULL,
    "approvalVersion" INTEGER,
    "issuedBy" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL,
    "content" TEXT NOT NULL,
    "contentSha256" TEXT NOT NULL,

    CONSTRAINT "Briefing_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Briefing_day_idx" ON "Briefing"("day");

-- CreateIndex
CREATE UNIQUE INDEX "Briefing_areaId_day_version_key" ON "Briefing"("areaId", "day", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Briefing_areaId_number_version_key" ON "Briefing"("areaId", "number", "version");

-- AddForeignKey
ALTER TABLE "Briefing" ADD CONSTRAINT "Briefing_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An issued briefing never changes: the database refuses every update and delete of one (SQLSTATE
-- FKBRI). Written as an escape string with \073 for semicolons, as day_approval explains.
CREATE FUNCTION "refuse_briefing_change"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION USING ERRCODE = ''FKBRI'', MESSAGE = ''an issued briefing never changes: issue a new version''\073
END
';

CREATE TRIGGER "Briefing_never_changes" BEFORE UPDATE OR DELETE ON "Briefing" FOR EACH ROW EXECUTE FUNCTION "refuse_briefing_change"();
