-- The rule about wall displays, in a migration of its own: a value added to an enum cannot be used
-- in the transaction that adds it. Parameters: schema/src/alerts/rule-kinds.ts.
INSERT INTO "AlertRule" ("id", "kind", "name", "nameEn", "severity", "enabled", "parameters", "cooldownMinutes") VALUES
  ('screen-silent', 'SCREEN_SILENT', '大屏离线', 'Wall display silent', 'MEDIUM', true,
   '{"minutes": 5, "lookbackHours": 24}', 0)
ON CONFLICT ("id") DO NOTHING;
