-- CreateEnum
CREATE TYPE "AreaLevel" AS ENUM ('DISTRICT', 'TOWNSHIP', 'SUBDISTRICT', 'COMMUNITY', 'COMPOUND');

-- CreateEnum
CREATE TYPE "CheckpointKind" AS ENUM ('EXPRESSWAY_EXIT', 'ROAD', 'COMPOUND_GATE', 'MARKET', 'SUPERMARKET');

-- CreateEnum
CREATE TYPE "CheckpointStatus" AS ENUM ('ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "ReportSource" AS ENUM ('MANUAL', 'GATE_SCAN', 'SIMULATED');

-- CreateEnum
CREATE TYPE "Sector" AS ENUM ('SANITARY_MATERIALS', 'PROTECTIVE_EQUIPMENT', 'PHARMACEUTICALS', 'MEMBRANE_MATERIALS');

-- CreateEnum
CREATE TYPE "ResumptionStatus" AS ENUM ('NOT_APPLIED', 'APPLIED', 'APPROVED', 'RESUMED', 'REJECTED');

-- CreateEnum
CREATE TYPE "LineStatus" AS ENUM ('INSTALLING', 'COMMISSIONING', 'PRODUCING', 'IDLE', 'HALTED');

-- CreateEnum
CREATE TYPE "ProductCategory" AS ENUM ('MASK', 'PROTECTIVE_EQUIPMENT', 'MEDICINE', 'DISINFECTANT', 'FOOD', 'DRINK', 'MATERIAL');

-- CreateEnum
CREATE TYPE "SupplySource" AS ENUM ('ENTERPRISE', 'STOCK');

-- CreateEnum
CREATE TYPE "AllocationDestination" AS ENUM ('CITY', 'CHECKPOINT', 'COMMUNITY', 'MEDICAL_STAFF');

-- CreateEnum
CREATE TYPE "AllocationStatus" AS ENUM ('PLANNED', 'DISPATCHED', 'DELIVERED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "IsolationStatus" AS ENUM ('ACTIVE', 'RELEASED', 'TRANSFERRED');

-- CreateEnum
CREATE TYPE "MeetingKind" AS ENUM ('HEADQUARTERS', 'PARTY_COMMITTEE', 'SYMPOSIUM');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED');

-- CreateEnum
CREATE TYPE "InspectionKind" AS ENUM ('FIELD_VISIT', 'UNANNOUNCED_VISIT', 'NIGHT_SPOT_CHECK');

-- CreateEnum
CREATE TYPE "ApplicationStatus" AS ENUM ('SUBMITTED', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'COMMANDER', 'ANALYST', 'OPERATOR', 'HEALTH', 'PARTNER', 'DISPLAY');

-- CreateTable
CREATE TABLE "Area" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "parentId" TEXT,
    "path" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Area_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Department" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "level" TEXT NOT NULL DEFAULT 'district',

    CONSTRAINT "Department_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "departmentId" TEXT,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "kind" "CheckpointKind" NOT NULL,
    "areaId" TEXT NOT NULL,
    "hasPartyBranch" BOOLEAN NOT NULL DEFAULT false,
    "usesQrScan" BOOLEAN NOT NULL DEFAULT false,
    "hasIsolationArea" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT,
    "openedAt" TIMESTAMP(3),
    "status" "CheckpointStatus" NOT NULL DEFAULT 'ACTIVE',
    "closedAt" TIMESTAMP(3),
    "reportIntervalMinutes" INTEGER NOT NULL DEFAULT 60,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckpointStaffing" (
    "checkpointId" TEXT NOT NULL,
    "departmentId" TEXT NOT NULL,

    CONSTRAINT "CheckpointStaffing_pkey" PRIMARY KEY ("checkpointId","departmentId")
);

-- CreateTable
CREATE TABLE "CheckpointReport" (
    "id" TEXT NOT NULL,
    "checkpointId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "vehiclesInspected" INTEGER NOT NULL DEFAULT 0,
    "peopleScreened" INTEGER NOT NULL DEFAULT 0,
    "feverCases" INTEGER NOT NULL DEFAULT 0,
    "hubeiLinked" INTEGER NOT NULL DEFAULT 0,
    "referred" INTEGER NOT NULL DEFAULT 0,
    "disinfections" INTEGER NOT NULL DEFAULT 0,
    "source" "ReportSource" NOT NULL DEFAULT 'MANUAL',
    "reportedBy" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "payloadHash" TEXT,
    "supersedesId" TEXT,
    "supersededAt" TIMESTAMP(3),
    "correctionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckpointReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Enterprise" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "sector" "Sector" NOT NULL,
    "areaId" TEXT,
    "resumptionStatus" "ResumptionStatus" NOT NULL DEFAULT 'NOT_APPLIED',
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Enterprise_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "category" "ProductCategory" NOT NULL,
    "unit" TEXT NOT NULL,
    "unitEn" TEXT NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductionLine" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "enterpriseId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "ratedDailyCapacity" INTEGER NOT NULL,
    "status" "LineStatus" NOT NULL DEFAULT 'INSTALLING',
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reportIntervalMinutes" INTEGER NOT NULL DEFAULT 60,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductionLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LineStatusChange" (
    "id" TEXT NOT NULL,
    "lineId" TEXT NOT NULL,
    "from" "LineStatus",
    "to" "LineStatus" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "note" TEXT,
    "changedBy" TEXT NOT NULL,

    CONSTRAINT "LineStatusChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutputReport" (
    "id" TEXT NOT NULL,
    "lineId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "produced" INTEGER NOT NULL,
    "passedQc" INTEGER NOT NULL,
    "source" "ReportSource" NOT NULL DEFAULT 'MANUAL',
    "reportedBy" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "payloadHash" TEXT,
    "supersedesId" TEXT,
    "supersededAt" TIMESTAMP(3),
    "correctionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutputReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Allocation" (
    "id" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "source" "SupplySource" NOT NULL,
    "sourceEnterpriseId" TEXT,
    "destination" "AllocationDestination" NOT NULL,
    "destinationCheckpointId" TEXT,
    "destinationAreaId" TEXT,
    "note" TEXT,
    "status" "AllocationStatus" NOT NULL DEFAULT 'PLANNED',
    "plannedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdBy" TEXT NOT NULL,
    "idempotencyKey" TEXT,

    CONSTRAINT "Allocation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IsolationCase" (
    "id" TEXT NOT NULL,
    "personName" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "compoundId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "status" "IsolationStatus" NOT NULL DEFAULT 'ACTIVE',
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IsolationCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthCheck" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "temperature" DOUBLE PRECISION NOT NULL,
    "symptoms" TEXT[],
    "note" TEXT,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "checkedBy" TEXT NOT NULL,

    CONSTRAINT "HealthCheck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Meeting" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "kind" "MeetingKind" NOT NULL,
    "heldAt" TIMESTAMP(3) NOT NULL,
    "chairId" TEXT,
    "summary" TEXT,
    "summaryEn" TEXT,

    CONSTRAINT "Meeting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Directive" (
    "id" TEXT NOT NULL,
    "meetingId" TEXT,
    "ordinal" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "textEn" TEXT NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL,
    "issuedBy" TEXT NOT NULL,

    CONSTRAINT "Directive_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" TEXT NOT NULL,
    "directiveId" TEXT,
    "title" TEXT NOT NULL,
    "titleEn" TEXT,
    "ownerPersonId" TEXT,
    "ownerDepartmentId" TEXT,
    "dueAt" TIMESTAMP(3),
    "status" "TaskStatus" NOT NULL DEFAULT 'OPEN',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Inspection" (
    "id" TEXT NOT NULL,
    "kind" "InspectionKind" NOT NULL,
    "title" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "heldAt" TIMESTAMP(3) NOT NULL,
    "leadId" TEXT,
    "summary" TEXT,
    "summaryEn" TEXT,

    CONSTRAINT "Inspection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" TEXT NOT NULL,
    "inspectionId" TEXT NOT NULL,
    "siteName" TEXT NOT NULL,
    "siteAreaId" TEXT,
    "siteCheckpointId" TEXT,
    "siteEnterpriseId" TEXT,
    "problem" TEXT NOT NULL,
    "problemEn" TEXT NOT NULL,
    "ownerDepartmentId" TEXT,
    "ownerPersonId" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "resolution" TEXT,

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResumptionApplication" (
    "id" TEXT NOT NULL,
    "enterpriseId" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "status" "ApplicationStatus" NOT NULL DEFAULT 'SUBMITTED',
    "decidedAt" TIMESTAMP(3),
    "decidedById" TEXT,
    "decisionNote" TEXT,
    "simulated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ResumptionApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "scope" TEXT[],
    "label" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_MeetingAttendees" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,

    CONSTRAINT "_MeetingAttendees_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateTable
CREATE TABLE "_InspectionParticipants" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,

    CONSTRAINT "_InspectionParticipants_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "Area_path_key" ON "Area"("path");

-- CreateIndex
CREATE INDEX "Area_parentId_idx" ON "Area"("parentId");

-- CreateIndex
CREATE INDEX "Checkpoint_areaId_idx" ON "Checkpoint"("areaId");

-- CreateIndex
CREATE INDEX "Checkpoint_kind_idx" ON "Checkpoint"("kind");

-- CreateIndex
CREATE UNIQUE INDEX "CheckpointReport_idempotencyKey_key" ON "CheckpointReport"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "CheckpointReport_supersedesId_key" ON "CheckpointReport"("supersedesId");

-- CreateIndex
CREATE INDEX "CheckpointReport_checkpointId_periodStart_idx" ON "CheckpointReport"("checkpointId", "periodStart");

-- CreateIndex
CREATE INDEX "CheckpointReport_periodStart_idx" ON "CheckpointReport"("periodStart");

-- CreateIndex
CREATE INDEX "ProductionLine_enterpriseId_idx" ON "ProductionLine"("enterpriseId");

-- CreateIndex
CREATE INDEX "ProductionLine_productId_idx" ON "ProductionLine"("productId");

-- CreateIndex
CREATE INDEX "LineStatusChange_lineId_at_idx" ON "LineStatusChange"("lineId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "OutputReport_idempotencyKey_key" ON "OutputReport"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "OutputReport_supersedesId_key" ON "OutputReport"("supersedesId");

-- CreateIndex
CREATE INDEX "OutputReport_lineId_periodStart_idx" ON "OutputReport"("lineId", "periodStart");

-- CreateIndex
CREATE INDEX "OutputReport_periodStart_idx" ON "OutputReport"("periodStart");

-- CreateIndex
CREATE UNIQUE INDEX "Allocation_idempotencyKey_key" ON "Allocation"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Allocation_productId_status_idx" ON "Allocation"("productId", "status");

-- CreateIndex
CREATE INDEX "Allocation_plannedAt_idx" ON "Allocation"("plannedAt");

-- CreateIndex
CREATE INDEX "IsolationCase_compoundId_status_idx" ON "IsolationCase"("compoundId", "status");

-- CreateIndex
CREATE INDEX "HealthCheck_caseId_checkedAt_idx" ON "HealthCheck"("caseId", "checkedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Directive_meetingId_ordinal_key" ON "Directive"("meetingId", "ordinal");

-- CreateIndex
CREATE INDEX "Task_status_dueAt_idx" ON "Task"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Finding_inspectionId_idx" ON "Finding"("inspectionId");

-- CreateIndex
CREATE INDEX "ResumptionApplication_status_submittedAt_idx" ON "ResumptionApplication"("status", "submittedAt");

-- CreateIndex
CREATE INDEX "Event_type_seq_idx" ON "Event"("type", "seq");

-- CreateIndex
CREATE INDEX "Event_subjectType_subjectId_idx" ON "Event"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "AuditEntry_entityType_entityId_idx" ON "AuditEntry"("entityType", "entityId");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "_MeetingAttendees_B_index" ON "_MeetingAttendees"("B");

-- CreateIndex
CREATE INDEX "_InspectionParticipants_B_index" ON "_InspectionParticipants"("B");

-- AddForeignKey
ALTER TABLE "Area" ADD CONSTRAINT "Area_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Person" ADD CONSTRAINT "Person_departmentId_fkey" FOREIGN KEY ("departmentId") REFERENCES "Department"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckpointStaffing" ADD CONSTRAINT "CheckpointStaffing_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckpointStaffing" ADD CONSTRAINT "CheckpointStaffing_departmentId_fkey" FOREIGN KEY ("departmentId") REFERENCES "Department"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckpointReport" ADD CONSTRAINT "CheckpointReport_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckpointReport" ADD CONSTRAINT "CheckpointReport_supersedesId_fkey" FOREIGN KEY ("supersedesId") REFERENCES "CheckpointReport"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enterprise" ADD CONSTRAINT "Enterprise_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductionLine" ADD CONSTRAINT "ProductionLine_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductionLine" ADD CONSTRAINT "ProductionLine_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LineStatusChange" ADD CONSTRAINT "LineStatusChange_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "ProductionLine"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutputReport" ADD CONSTRAINT "OutputReport_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "ProductionLine"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutputReport" ADD CONSTRAINT "OutputReport_supersedesId_fkey" FOREIGN KEY ("supersedesId") REFERENCES "OutputReport"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Allocation" ADD CONSTRAINT "Allocation_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Allocation" ADD CONSTRAINT "Allocation_sourceEnterpriseId_fkey" FOREIGN KEY ("sourceEnterpriseId") REFERENCES "Enterprise"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Allocation" ADD CONSTRAINT "Allocation_destinationCheckpointId_fkey" FOREIGN KEY ("destinationCheckpointId") REFERENCES "Checkpoint"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Allocation" ADD CONSTRAINT "Allocation_destinationAreaId_fkey" FOREIGN KEY ("destinationAreaId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IsolationCase" ADD CONSTRAINT "IsolationCase_compoundId_fkey" FOREIGN KEY ("compoundId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthCheck" ADD CONSTRAINT "HealthCheck_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "IsolationCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Meeting" ADD CONSTRAINT "Meeting_chairId_fkey" FOREIGN KEY ("chairId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Directive" ADD CONSTRAINT "Directive_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_directiveId_fkey" FOREIGN KEY ("directiveId") REFERENCES "Directive"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_ownerPersonId_fkey" FOREIGN KEY ("ownerPersonId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_ownerDepartmentId_fkey" FOREIGN KEY ("ownerDepartmentId") REFERENCES "Department"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_inspectionId_fkey" FOREIGN KEY ("inspectionId") REFERENCES "Inspection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_siteAreaId_fkey" FOREIGN KEY ("siteAreaId") REFERENCES "Area"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_siteCheckpointId_fkey" FOREIGN KEY ("siteCheckpointId") REFERENCES "Checkpoint"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_siteEnterpriseId_fkey" FOREIGN KEY ("siteEnterpriseId") REFERENCES "Enterprise"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_ownerDepartmentId_fkey" FOREIGN KEY ("ownerDepartmentId") REFERENCES "Department"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_ownerPersonId_fkey" FOREIGN KEY ("ownerPersonId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResumptionApplication" ADD CONSTRAINT "ResumptionApplication_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResumptionApplication" ADD CONSTRAINT "ResumptionApplication_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_MeetingAttendees" ADD CONSTRAINT "_MeetingAttendees_A_fkey" FOREIGN KEY ("A") REFERENCES "Meeting"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_MeetingAttendees" ADD CONSTRAINT "_MeetingAttendees_B_fkey" FOREIGN KEY ("B") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_InspectionParticipants" ADD CONSTRAINT "_InspectionParticipants_A_fkey" FOREIGN KEY ("A") REFERENCES "Inspection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_InspectionParticipants" ADD CONSTRAINT "_InspectionParticipants_B_fkey" FOREIGN KEY ("B") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
