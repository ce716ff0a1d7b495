import { graphql } from '../graphql/graphql.ts';

/** The screen's own session: settings first, then commands and news of a new client build. */
export const ScreenSessionSubscription = graphql(`
  subscription WallScreenSession($name: String!, $location: String, $clientVersion: String, $screenId: ID) {
    screenSession(name: $name, location: $location, clientVersion: $clientVersion, screenId: $screenId) {
      kind
      screenId
      name
      location
      commandId
      action
      view
      playlist
      playlistSeconds
      language
      clientBuild
      reportEveryMs
    }
  }
`);

/** How the screen is, and the command it obeyed: sent over the live connection. */
export const ReportScreenMutation = graphql(`
  mutation WallReportScreen(
    $screenId: ID!
    $asOfSeq: Seq
    $reconnectsLastHour: Int!
    $memoryBytes: Float
    $clientVersion: String
    $view: ScreenView!
    $language: ScreenLanguage!
    $playing: Boolean!
    $acknowledges: String
  ) {
    reportScreen(
      screenId: $screenId
      asOfSeq: $asOfSeq
      reconnectsLastHour: $reconnectsLastHour
      memoryBytes: $memoryBytes
      clientVersion: $clientVersion
      view: $view
      language: $language
      playing: $playing
      acknowledges: $acknowledges
    ) {
      __typename
      ... on ScreenReportPayload {
        reportedAt
        lagEvents
      }
      ... on Error {
        message
        code
      }
    }
  }
`);
