/** What GraphiQL opens on: the operations an analyst starts from, runnable as they are. */
export const graphiqlDefaultQuery = `# Fangkong — the zone's epidemic-response data. Pick an operation with the ▶ button.
# Days are reporting days in the zone's time zone (00:00–24:00). Seeded history covers 2020-01-27 … 2020-02-09.

query ZoneToday($day: Date) {
  zoneSummary(day: $day) {
    day
    checkpointTotals { vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections simulatedReports }
    byCheckpointKind { kind checkpoints counts { peopleScreened feverCases } }
    production { masks { produced passedQc ratedCapacity linesProducing } }
    peopleUnderIsolation
    stock { product { name nameEn } stock }
    asOf
    asOfSeq
  }
}

query CheckpointsWithToday {
  checkpoints(first: 50) {
    totalCount
    edges {
      node { id name nameEn kind lastReportAt isStale today { peopleScreened feverCases } area { name } }
    }
  }
}

query HourlyScreening {
  checkpointSeries(from: "2020-02-07T00:00:00+08:00", to: "2020-02-08T00:00:00+08:00", bucket: HOUR) {
    start
    counts { peopleScreened feverCases }
  }
}

query MaskLines {
  productionLines(first: 20) {
    edges {
      node { name nameEn status ratedDailyCapacity enterprise { name } outputOn(day: "2020-02-08") { produced passedQc } }
    }
  }
}

query WhoHasReported {
  reportingCompleteness(day: "2020-02-07", graceMinutes: 30) {
    figures { expected received receivedOnTime completeness onTime }
    areas(level: COMMUNITY) { area { name nameEn } sites sitesComplete figures { completeness onTime } }
    sites(first: 20, incompleteOnly: true) { kind name nameEn missingCount missing(first: 5) { start end } figures { completeness } }
  }
}

query ByCommunity {
  zoneSummary(day: "2020-02-07") {
    indicators { feverPer10kScreened { numerator denominator value } maskQcPassRate { numerator denominator value } }
    byArea(level: COMMUNITY) { area { name nameEn } checkpoints counts { peopleScreened feverCases } production { maskProduced } peopleUnderIsolation }
  }
}

query SixRequirementsOf9February {
  meetings(first: 5) {
    edges { node { title titleEn heldAt directives { ordinal text textEn } } }
  }
}
`;
