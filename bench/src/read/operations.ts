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

export type OperationName = 'ZoneSummary' | 'CheckpointPage';

export interface ReadOperation {
  name: OperationName;
  /** How the table names it. */
  label: string;
  /** The POST body, as sent. */
  body: string;
}

export function readOperations(day: string, pageSize = 50): ReadOperation[] {
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
    },
  ];
}
