-- The rule kind about wall displays, in a migration of its own: a value added to an enum cannot be
-- used in the transaction that adds it (the next migration inserts the rule).
-- AlterEnum
ALTER TYPE "AlertRuleKind" ADD VALUE 'SCREEN_SILENT';
