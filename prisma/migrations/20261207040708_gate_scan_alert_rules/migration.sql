-- The gate-scan alert rules (issue 19), in a migration of their own: PostgreSQL uses an enum value
-- only once the transaction that added it has committed (20261207040707_gate_scan_alert_kinds).
-- Parameters are documented and validated in schema/src/alerts/rule-kinds.ts, and admins change them
-- with `updateAlertRule`.
INSERT INTO "AlertRule" ("id", "kind", "name", "nameEn", "severity", "enabled", "parameters", "cooldownMinutes") VALUES
  ('gate-suspended-pass', 'GATE_SUSPENDED_PASS', '停用通行证被使用', 'Suspended gate pass used', 'HIGH', true,
   '{"includeRevoked": true}', 0),
  ('gate-other-compound', 'GATE_OTHER_COMPOUND', '其他小区通行证被使用', 'Gate pass of another compound used', 'MEDIUM', true,
   '{}', 0),
  ('gate-frequent-pass', 'GATE_FREQUENT_PASS', '通行证使用过于频繁', 'Gate pass scanned unusually often', 'MEDIUM', true,
   '{"minScans": 6, "windowMinutes": 60}', 0)
ON CONFLICT ("id") DO NOTHING;
