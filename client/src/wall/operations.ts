import { graphql } from '../graphql/graphql.ts';

export const ZoneSummarySubscription = graphql(`
  subscription WallZoneSummary {
    zoneSummary {
      day
      dayStart
      dayEnd
      timeZone
      asOf
      asOfSeq
      checkpointTotals {
        vehiclesInspected
        peopleScreened
        feverCases
        hubeiLinked
        disinfections
        referred
        reports
        simulatedReports
      }
      peopleUnderIsolation
      simulatedIsolationCases
      isolation {
        startedOnDay
        endedOnDay
        byCommunity {
          community {
            id
            name
            nameEn
          }
          underIsolation
          startedOnDay
          endedOnDay
        }
      }
      production {
        masks {
          produced
          passedQc
          ratedCapacity
          linesProducing
          simulatedReports
        }
      }
    }
  }
`);

export const CheckpointCountsSubscription = graphql(`
  subscription WallCheckpointCounts {
    checkpointCounts {
      asOf
      asOfSeq
      lastReportAt
      checkpoint {
        id
        slug
        name
        nameEn
        kind
        status
        reportIntervalMinutes
        area {
          slug
        }
      }
      today {
        vehiclesInspected
        peopleScreened
        feverCases
        reports
        simulatedReports
      }
    }
  }
`);

export const ProductionOutputSubscription = graphql(`
  subscription WallProductionOutput {
    productionOutput {
      asOf
      asOfSeq
      status
      ratedDailyCapacity
      utilization
      line {
        id
        name
        nameEn
        product {
          id
          name
          nameEn
          category
        }
        enterprise {
          id
          name
          nameEn
        }
      }
      today {
        produced
        passedQc
        reports
        simulatedReports
      }
    }
  }
`);

export const StockLevelsSubscription = graphql(`
  subscription WallStockLevels {
    stockLevels {
      asOf
      asOfSeq
      stock {
        stock
        produced
        allocated
        safetyLevel
        belowSafetyLevel
        day {
          produced
          toCity
          toZone
        }
        product {
          id
          name
          nameEn
          unit
          unitEn
          category
        }
      }
    }
  }
`);

export const HourlySeriesQuery = graphql(`
  query WallHourlySeries($todayFrom: DateTime!, $todayTo: DateTime!, $yesterdayFrom: DateTime!, $yesterdaySameTime: DateTime!, $yesterday: Date!, $since: DateTime!) {
    daily: checkpointSeries(bucket: DAY, from: $since, to: $todayTo) {
      start
      counts {
        peopleScreened
        feverCases
      }
    }
    yesterdaySoFar: checkpointSeries(bucket: DAY, from: $yesterdayFrom, to: $yesterdaySameTime) {
      counts {
        vehiclesInspected
        peopleScreened
        feverCases
        referred
      }
    }
    yesterdaySummary: zoneSummary(day: $yesterday, basis: LIVE) {
      peopleUnderIsolation
    }
    today: checkpointSeries(bucket: HOUR, from: $todayFrom, to: $todayTo) {
      start
      counts {
        peopleScreened
        feverCases
        simulatedReports
      }
    }
    yesterday: checkpointSeries(bucket: HOUR, from: $yesterdayFrom, to: $todayFrom) {
      start
      counts {
        peopleScreened
        feverCases
        simulatedReports
      }
    }
  }
`);

export const AlertsSubscription = graphql(`
  subscription WallAlerts {
    alerts {
      kind
      asOfSeq
      asOf
      alerts {
        id
        subjectType
        subjectId
        kind
        severity
        status
        message
        messageEn
        raisedAt
      }
    }
  }
`);

/** Today's completeness, every site with its latest expected period: the wall's "reported this hour". */
export const CompletenessSubscription = graphql(`
  subscription WallCompleteness {
    reportingCompleteness {
      asOf
      sites(first: 500) {
        kind
        slug
        name
        nameEn
        latest {
          start
          end
          received
        }
      }
    }
  }
`);

/** The areas, for the schematic map's labels and to place a site whose area the layout does not draw. */
export const MapAreasQuery = graphql(`
  query WallMapAreas {
    areas(first: 500) {
      edges {
        node {
          slug
          name
          nameEn
          level
          parent {
            slug
          }
        }
      }
    }
  }
`);
