-- A safety level per product: stock below it is low, for the wall and the stock-low alert
-- rule alike. It was the parameter "thresholds" of the STOCK_LOW rule: those thresholds become the
-- levels of the products here, and the rule keeps no parameters of its own (one definition of low).
-- 0: no level kept for the product. Admins set it with setProductSafetyLevel, audited.
ALTER TABLE "Product" ADD COLUMN "safetyLevel" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Product" ADD CONSTRAINT "Product_safetyLevel_check" CHECK ("safetyLevel" >= 0);

UPDATE "Product" p SET "safetyLevel" = (r.parameters -> 'thresholds' ->> p.id)::integer
FROM "AlertRule" r
WHERE r.kind = 'STOCK_LOW' AND r.enabled AND (r.parameters -> 'thresholds' ->> p.id) IS NOT NULL;

UPDATE "AlertRule" SET parameters = '{}' WHERE kind = 'STOCK_LOW';
