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
      }
    }
    ... on OverlappingReportError {
      existingReportId
      existingPeriodStart
      existingPeriodEnd
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
      }
      ...WriteRefusal
    }
  }
`, [WriteRefusalFragment]);

export const ReportProductionOutputMutation = graphql(`
  mutation ReportProductionOutput($input: ReportProductionOutputInput!, $withReport: Boolean!) {
    reportProductionOutput(input: $input) {
      __typename
      ... on OutputReportPayload {
        duplicate
        report @include(if: $withReport) {
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
      }
      ...WriteRefusal
    }
  }
`, [WriteRefusalFragment]);
