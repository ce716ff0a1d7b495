import { graphql } from '../graphql/graphql.ts';

/** The command-work view's figures: a snapshot, then again after every directive, task, finding or application event. */
export const CommandWorkSubscription = graphql(`
  subscription WallCommandWork {
    commandWork {
      asOf
      asOfSeq
      meeting {
        title
        titleEn
        heldAt
        directives {
          ordinal
          text
          textEn
          tasks {
            title
            titleEn
            owner
            ownerEn
            dueAt
            status
            overdue
          }
        }
      }
      findingsByUnit {
        unit
        unitEn
        open
        rectified
      }
      resumption {
        targetWorkingDays
        waiting {
          enterpriseName
          enterpriseNameEn
          submittedAt
          workingDaysWaiting
          overTarget
        }
      }
    }
  }
`);
