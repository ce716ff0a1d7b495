// The two read operations the benchmark sends, identical bytes to both targets. `asOf` (the
// instant each response was read) is left out: it differs on every request by design.

const countFields = 'vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections reports simulatedReports';
const figureFields = 'produced passedQc ratedCapacity linesProducing simulatedReports';
const productFields = 'id slug name nameEn category unit unitEn';

export const zoneSummaryDocument = `query ZoneSummary($day: Date!) {
  zoneSummary(day: $day) {
    day dayStart dayEnd timeZone
    checkpointTotals { ...Counts }
    byCheckpointKind { kind checkpoints counts { ...Counts } }
    production {
      masks { ...Figures }
      byProduct { product { ${productFields} } figures { ...Figures } }
    }
    peopleUnderIsolation simulatedIsolationCases
    stock { product { ${productFields} } produced allocated stock }
    asOfSeq
  }
}
fragment Counts on CheckpointCounts { ${countFields} }
fragment Figures on ProductionFigures { ${figureFields} }`;

export const checkpointPageDocument = `query CheckpointPage($first: Int!) {
  checkpoints(first: $first) {
    pageInfo { hasNextPage }
    edges { node { id name nameEn kind today { ...Counts } } }
  }
}
fragment Counts on CheckpointCounts { ${countFields} }`;

/**
 * The checkpoint page as PostGraphile 5 serves it from the tables (bench/src/read/peer-server.ts):
 * the same checkpoints in the same order, with the same figures for the zone's local day, in its own
 * names (`allCheckpoints`, `rowId`, a computed `today(day, timeZone)`); the bench maps its answer to
 * ours before comparing them.
 */
export const peerCheckpointPageDocument = `query CheckpointPage($first: Int!, $day: Date!, $timeZone: String!) {
  allCheckpoints(first: $first, orderBy: [KIND_ASC, ROW_ID_ASC]) {
    pageInfo { hasNextPage }
    edges { node { rowId name nameEn kind today(day: $day, timeZone: $timeZone) { ${countFields} } } }
  }
}`;

export type OperationName = 'ZoneSummary' | 'CheckpointPage';

export interface ReadOperation {
  name: OperationName;
  /** How the table names it. */
  label: string;
  /** The POST body, as sent. */
  body: string;
  /** The body PostGraphile gets for the same read, where it serves one. */
  peerBody?: string;
}

/**
 * @param day the day zoneSummary asks for
 * @param today the zone's local day of the targets' clock, which PostGraphile is told explicitly
 */
export function readOperations(day: string, pageSize = 50, today?: { day: string; timeZone: string }): ReadOperation[] {
  return [
    {
      name: 'ZoneSummary',
      label: `zoneSummary(day: "${day}")`,
      body: JSON.stringify({ operationName: 'ZoneSummary', query: zoneSummaryDocument, variables: { day } }),
    },
    {
      name: 'CheckpointPage',
      label: `checkpoints(first: ${pageSize}) with today`,
      body: JSON.stringify({ operationName: 'CheckpointPage', query: checkpointPageDocument, variables: { first: pageSize } }),
      ...(today && {
        peerBody: JSON.stringify({ operationName: 'CheckpointPage', query: peerCheckpointPageDocument, variables: { first: pageSize, ...today } }),
      }),
    },
  ];
}
