-- CreateEnum
CREATE TYPE "ScreenView" AS ENUM ('OVERVIEW', 'CHECKPOINTS', 'PRODUCTION', 'ALERTS');

-- CreateEnum
CREATE TYPE "ScreenLanguage" AS ENUM ('ZH', 'EN');

-- CreateTable
CREATE TABLE "Screen" (
    "id" TEXT NOT NULL,
    "tokenId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "location" TEXT,
    "registeredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "connectedSince" TIMESTAMPTZ(3),
    "instanceId" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3),
    "disconnectedAt" TIMESTAMPTZ(3),
    "reportedAt" TIMESTAMPTZ(3),
    "clientVersion" TEXT,
    "asOfSeq" BIGINT,
    "lagEvents" INTEGER,
    "reconnectsLastHour" INTEGER NOT NULL DEFAULT 0,
    "memoryBytes" BIGINT,
    "shownView" "ScreenView",
    "shownLanguage" "ScreenLanguage",
    "playing" BOOLEAN NOT NULL DEFAULT false,
    "view" "ScreenView" NOT NULL DEFAULT 'OVERVIEW',
    "playlist" "ScreenView"[],
    "playlistSeconds" INTEGER,
    "language" "ScreenLanguage",
    "lastCommandId" TEXT,
    "lastCommandAt" TIMESTAMPTZ(3),
    "acknowledgedCommandId" TEXT,
    "acknowledgedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Screen_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Screen_tokenId_name_key" ON "Screen"("tokenId", "name");

-- The default rule about wall displays (parameters: schema/src/alerts/rule-kinds.ts).
INSERT INTO "AlertRule" ("id", "kind", "name", "nameEn", "severity", "enabled", "parameters", "cooldownMinutes") VALUES
  ('screen-silent', 'SCREEN_SILENT', '大屏离线', 'Wall display silent', 'MEDIUM', true,
   '{"minutes": 5, "lookbackHours": 24}', 0)
ON CONFLICT ("id") DO NOTHING;
