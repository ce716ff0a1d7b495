import { graphql } from '../graphql/graphql.ts';

/** Who the token is, and the compound gates it may scan at (an operator's own, every gate for an admin). */
export const GateTargetsQuery = graphql(`
  query GateTargets {
    viewer {
      role
      label
      scope
    }
    checkpoints(first: 200, status: ACTIVE, kinds: [COMPOUND_GATE]) {
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
  }
`);

export const GatePassDirectoryQuery = graphql(`
  query GatePassDirectory($checkpointId: ID!) {
    gatePassDirectory(checkpointId: $checkpointId) {
      compoundId
      asOf
      passes {
        codeHash
        compoundId
        status
      }
    }
  }
`);

export const RecordGateScansMutation = graphql(`
  mutation RecordGateScans($checkpointId: ID!, $scans: [GateScanInput!]!) {
    recordGateScans(checkpointId: $checkpointId, scans: $scans) {
      __typename
      ... on GateScanBatchPayload {
        results {
          idempotencyKey
          outcome
          verdict
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

/** The card sheet: the households of a compound with their passes' codes, 100 a page (community staff and admins only). */
export const GatePassCardsQuery = graphql(`
  query GatePassCards($compoundId: ID!, $after: String) {
    node(id: $compoundId) {
      ... on Area {
        name
        nameEn
      }
    }
    gateHouseholds(compoundId: $compoundId, first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          room
          passes {
            id
            holderName
            code
            status
          }
        }
      }
    }
  }
`);
