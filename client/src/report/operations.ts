import { graphql } from '../graphql/graphql.ts';

// Pages of 200 (the zone has a dozen sites): 500 of each went over an operator's read budget.
export const ReportTargetsQuery = graphql(`
  query ReportTargets {
    viewer {
      role
      label
      scope
    }
    checkpoints(first: 200, status: ACTIVE) {
      edges {
        node {
          id
          slug
          name
          nameEn
          kind
        }
      }
    }
    productionLines(first: 200) {
      edges {
        node {
          id
          slug
          name
          nameEn
          status
          enterprise {
            name
            nameEn
          }
          product {
            name
            nameEn
            unit
            unitEn
          }
        }
      }
    }
  }
`);

/**
 * What a refused report says: its code and message, for invalid input each field's problem, and
 * for a period already reported the report that holds it.
 */
const WriteRefusalFragment = graphql(`
  fragment WriteRefusal on Error @_unmask {
    code
    message
    ... on ValidationError {
      issues {
        field
        message
        rule
        limit
        actual
        relatedField
        at
      }
    }
    ... on OverlappingReportError {
      existingReportId
      existingPeriodStart
      existingPeriodEnd
    }
    ... on NotFoundError {
      field
    }
    ... on InvalidStateError {
      field
      current
    }
    ... on DayLockedError {
      day
    }
  }
`);

/** What the page shows of a report the server stored (a new one or a correction). */
const StoredCheckpointReportFragment = graphql(`
  fragment StoredCheckpointReport on CheckpointReport @_unmask {
    id
    periodStart
    periodEnd
    vehiclesInspected
    peopleScreened
    feverCases
    hubeiLinked
    referred
    disinfections
    reportedAt
    checkpoint {
      name
      nameEn
    }
  }
`);

const StoredOutputReportFragment = graphql(`
  fragment StoredOutputReport on OutputReport @_unmask {
    id
    periodStart
    periodEnd
    produced
    passedQc
    reportedAt
    line {
      name
      nameEn
    }
  }
`);

export const ReportCheckpointCountsMutation = graphql(`
  mutation ReportCheckpointCounts($input: ReportCheckpointCountsInput!, $withReport: Boolean!) {
    reportCheckpointCounts(input: $input) {
      __typename
      ... on CheckpointReportPayload {
        duplicate
        report @include(if: $withReport) {
          ...StoredCheckpointReport
        }
      }
      ...WriteRefusal
    }
  }
`, [WriteRefusalFragment, StoredCheckpointReportFragment]);

export const ReportProductionOutputMutation = graphql(`
  mutation ReportProductionOutput($input: ReportProductionOutputInput!, $withReport: Boolean!) {
    reportProductionOutput(input: $input) {
      __typename
      ... on OutputReportPayload {
        duplicate
        report @include(if: $withReport) {
          ...StoredOutputReport
        }
      }
      ...WriteRefusal
    }
  }
`, [WriteRefusalFragment, StoredOutputReportFragment]);

/** A site's latest reports (current versions, newest period first): today's list and the recent figures a new one is compared with. */
export const SiteReportsQuery = graphql(`
  query SiteReports($id: ID!) {
    node(id: $id) {
      __typename
      ... on Checkpoint {
        id
        reports(first: 48) {
          edges {
            node {
              id
              periodStart
              periodEnd
              reportedAt
              correctionReason
              vehiclesInspected
              peopleScreened
              feverCases
              hubeiLinked
              referred
              disinfections
            }
          }
        }
      }
      ... on ProductionLine {
        id
        outputReports(first: 48) {
          edges {
            node {
              id
              periodStart
              periodEnd
              reportedAt
              correctionReason
              produced
              passedQc
            }
          }
        }
      }
    }
  }
`);

export const CorrectCheckpointReportMutation = graphql(`
  mutation CorrectCheckpointReport($reportId: ID!, $input: CorrectCheckpointReportInput!, $reason: String!, $idempotencyKey: String!) {
    correctCheckpointReport(reportId: $reportId, input: $input, reason: $reason, idempotencyKey: $idempotencyKey) {
      __typename
      ... on CheckpointReportPayload {
        duplicate
        report {
          ...StoredCheckpointReport
        }
      }
      ...WriteRefusal
    }
  }
`, [WriteRefusalFragment, StoredCheckpointReportFragment]);

export const CorrectOutputReportMutation = graphql(`
  mutation CorrectOutputReport($reportId: ID!, $produced: Int!, $passedQc: Int!, $reason: String!, $idempotencyKey: String!) {
    correctOutputReport(reportId: $reportId, produced: $produced, passedQc: $passedQc, reason: $reason, idempotencyKey: $idempotencyKey) {
      __typename
      ... on OutputReportPayload {
        duplicate
        report {
          ...StoredOutputReport
        }
      }
      ...WriteRefusal
    }
  }
`, [WriteRefusalFragment, StoredOutputReportFragment]);

/** One report version by its ID: the one an overlapping report points at, to correct it. */
export const ReportByIdQuery = graphql(`
  query ReportById($id: ID!) {
    node(id: $id) {
      __typename
      ... on CheckpointReport {
        id
        periodStart
        periodEnd
        reportedAt
        correctionReason
        vehiclesInspected
        peopleScreened
        feverCases
        hubeiLinked
        referred
        disinfections
        checkpoint {
          id
        }
      }
      ... on OutputReport {
        id
        periodStart
        periodEnd
        reportedAt
        correctionReason
        produced
        passedQc
        line {
          id
        }
      }
    }
  }
`);
