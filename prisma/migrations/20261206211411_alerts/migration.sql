-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('LOW', 'MEDIUM', 'HIGH');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED');

-- CreateEnum
CREATE TYPE "AlertRuleKind" AS ENUM ('FEVER_AT_ENTRY', 'SILENT_SITE', 'OUTPUT_UNDER_TARGET', 'LINE_HALTED', 'STOCK_LOW', 'ISOLATION_NO_CHECK', 'ISOLATION_FEVER', 'TASK_OVERDUE', 'FINDING_OVERDUE', 'SUSPICIOUS_FIGURES');

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" TEXT NOT NULL,
    "kind" "AlertRuleKind" NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "parameters" JSONB NOT NULL,
    "cooldownMinutes" INTEGER NOT NULL DEFAULT 30,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedBy" TEXT NOT NULL DEFAULT 'seed',

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "kind" "AlertRuleKind" NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "status" "AlertStatus" NOT NULL DEFAULT 'OPEN',
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "occurrence" TEXT NOT NULL,
    "areaPath" TEXT,
    "siteId" TEXT,
    "message" TEXT NOT NULL,
    "messageEn" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "raisedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "raisedSeq" BIGINT NOT NULL DEFAULT 0,
    "acknowledgedAt" TIMESTAMPTZ(3),
    "acknowledgedBy" TEXT,
    "acknowledgeNote" TEXT,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedBy" TEXT,
    "resolveNote" TEXT,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertCursor" (
    "id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertCursor_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Alert_status_raisedAt_idx" ON "Alert"("status", "raisedAt");

-- CreateIndex
CREATE INDEX "Alert_subjectType_subjectId_ruleId_idx" ON "Alert"("subjectType", "subjectId", "ruleId");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_ruleId_subjectType_subjectId_occurrence_key" ON "Alert"("ruleId", "subjectType", "subjectId", "occurrence");

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The default rules: rows an admin changes through `updateAlertRule`, every change audited.
-- Parameters per kind are documented and validated in schema/src/alerts/rule-kinds.ts.
INSERT INTO "AlertRule" ("id", "kind", "name", "nameEn", "severity", "enabled", "parameters", "cooldownMinutes") VALUES
  ('fever-at-entry', 'FEVER_AT_ENTRY', '入口发现发热人员', 'Fever case at an entry point', 'HIGH', true,
   '{"checkpointKinds": ["EXPRESSWAY_EXIT"], "minFeverCases": 1}', 0),
  ('silent-site', 'SILENT_SITE', '站点未按时上报', 'Site not reporting', 'MEDIUM', true,
   '{"intervals": 2, "lookbackHours": 24}', 30),
  ('output-under-target', 'OUTPUT_UNDER_TARGET', '产量低于目标', 'Output under target', 'MEDIUM', true,
   '{"windowHours": 4, "minPercent": 50}', 120),
  ('line-halted', 'LINE_HALTED', '生产线停产', 'Production line halted', 'HIGH', true,
   '{"minutes": 30}', 60),
  ('stock-low', 'STOCK_LOW', '库存不足', 'Stock low', 'HIGH', true,
   '{"thresholds": {"medical-mask": 2000, "n95-mask": 500, "protective-suit": 100}}', 60),
  ('isolation-no-check', 'ISOLATION_NO_CHECK', '隔离人员今日未体检', 'Isolation case without a health check today', 'MEDIUM', true,
   '{"byLocalTime": "10:00"}', 0),
  ('isolation-fever', 'ISOLATION_FEVER', '隔离人员体温异常', 'Fever of a person in isolation', 'HIGH', true,
   '{"minTemperature": 37.3}', 0),
  ('task-overdue', 'TASK_OVERDUE', '任务逾期', 'Task overdue', 'MEDIUM', true,
   '{"graceMinutes": 0, "lookbackDays": 7}', 0),
  ('finding-overdue', 'FINDING_OVERDUE', '问题逾期未整改', 'Finding not rectified in time', 'MEDIUM', true,
   '{"rectifyWithinDays": 3, "lookbackDays": 7}', 0),
  ('suspicious-figures', 'SUSPICIOUS_FIGURES', '数据异常', 'Suspicious figures', 'LOW', true,
   '{"maxModifiedZ": 3.5, "historyDays": 14, "minSamples": 7}', 60);

-- The evaluator's position in the outbox starts at the end of what exists now: history loaded
-- before alerts existed is not evaluated.
INSERT INTO "AlertCursor" ("id", "seq") SELECT 'evaluator', COALESCE(MAX("seq"), 0) FROM "Event";
