// A synthetic province to measure on, built in SQL in the bench's own database: areas, checkpoints,
// enterprises and production lines, and a history of hourly reports behind them. Every row it adds
// has an id starting `sim-` and the root area's note says it is simulated; the zone's reference data,
// which the server loads into every database, is left as it is.
//
// The area model's levels are the zone's (DISTRICT › TOWNSHIP › SUBDISTRICT › COMMUNITY › COMPOUND).
// A province has more levels above a district than the model has, so the fixture lays its tree on the
// model's levels by depth: the province root on DISTRICT, its cities on TOWNSHIP, their districts on
// SUBDISTRICT, their communities on COMMUNITY. Queries by area (`within`) see the same tree.
import type pg from 'pg';

export interface ProvinceShape {
  cities: number;
  districtsPerCity: number;
  communitiesPerDistrict: number;
  checkpoints: number;
  lines: number;
  /** Days of hourly history, ending `historyEnd`. */
  days: number;
  /**
   * Where the history ends: a few minutes before the first report the bench sends, so no site starts
   * the run silent for longer than its hourly interval (the silent-site alert would fire for all).
   */
  historyEnd: Date;
}

export interface Province {
  rootId: string;
  cityIds: string[];
  checkpointIds: string[];
  /** The city (area id) of each checkpoint, by checkpoint id. */
  cityOf: Map<string, string>;
  historyRows: number;
}

export const PROVINCE_ROOT = 'sim-province';

/** Builds the province; takes about a minute per day of history for 10,000 checkpoints on 2 busy cores. */
export async function buildProvince(client: pg.Client, shape: ProvinceShape, log: (line: string) => void): Promise<Province> {
  const { cities, districtsPerCity: districts, communitiesPerDistrict: communities } = shape;
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path, note)
    VALUES ($1, '模拟省', 'Simulated province', 'DISTRICT', NULL, '/' || $1 || '/', 'simulated: built by pnpm bench:province, not reference data')`, [PROVINCE_ROOT]);
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path)
    SELECT 'sim-c' || c, '模拟市' || c, 'Simulated city ' || c, 'TOWNSHIP', $1, '/' || $1 || '/sim-c' || c || '/'
    FROM generate_series(0, $2::int - 1) c`, [PROVINCE_ROOT, cities]);
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path)
    SELECT 'sim-c' || c || '-d' || d, '模拟区' || c || '-' || d, 'Simulated district ' || c || '-' || d, 'SUBDISTRICT', 'sim-c' || c,
           '/' || $1 || '/sim-c' || c || '/sim-c' || c || '-d' || d || '/'
    FROM generate_series(0, $2::int - 1) c, generate_series(0, $3::int - 1) d`, [PROVINCE_ROOT, cities, districts]);
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path)
    SELECT 'sim-c' || c || '-d' || d || '-m' || m, '模拟社区', 'Simulated community', 'COMMUNITY', 'sim-c' || c || '-d' || d,
           '/' || $1 || '/sim-c' || c || '/sim-c' || c || '-d' || d || '/sim-c' || c || '-d' || d || '-m' || m || '/'
    FROM generate_series(0, $2::int - 1) c, generate_series(0, $3::int - 1) d, generate_series(0, $4::int - 1) m`, [PROVINCE_ROOT, cities, districts, communities]);
  // Checkpoint i sits in community i mod (all communities), so every community has some and a city's
  // share is i mod cities: `sim-c{i mod cities}`.
  const allCommunities = cities * districts * communities;
  const communityOf = `'sim-c' || (i % $2) || '-d' || ((i / $2) % $3) || '-m' || ((i / ($2 * $3)) % $4)`;
  await client.query(
    `INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "openedAt", "reportIntervalMinutes")
     SELECT 'sim-cp-' || i, '模拟卡口' || i, 'Simulated checkpoint ' || i, (ARRAY['ROAD','EXPRESSWAY_EXIT','COMPOUND_GATE','MARKET'])[1 + i % 4]::"CheckpointKind",
            ${communityOf}, $5::timestamptz - interval '60 days', 60
     FROM generate_series(0, $1::int - 1) i`,
    [shape.checkpoints, cities, districts, communities, shape.historyEnd],
  );
  // Two lines per enterprise, each enterprise in a district, making masks or suits.
  const enterprises = Math.ceil(shape.lines / 2);
  await client.query(
    `INSERT INTO "Enterprise" (id, name, "nameEn", sector, "areaId", "resumptionStatus")
     SELECT 'sim-e' || e, '模拟企业' || e, 'Simulated enterprise ' || e, 'PROTECTIVE_EQUIPMENT', 'sim-c' || (e % $2) || '-d' || ((e / $2) % $3), 'RESUMED'
     FROM generate_series(0, $1::int - 1) e`,
    [enterprises, cities, districts],
  );
  await client.query(
    `INSERT INTO "ProductionLine" (id, name, "nameEn", "enterpriseId", "productId", "ratedDailyCapacity", status, "openedAt")
     SELECT 'sim-l' || l, '模拟产线' || l, 'Simulated line ' || l, 'sim-e' || (l / 2), (ARRAY['medical-mask','n95-mask','protective-suit'])[1 + l % 3], 20000, 'PRODUCING',
            $2::timestamptz - interval '60 days'
     FROM generate_series(0, $1::int - 1) l`,
    [shape.lines, shape.historyEnd],
  );
  log(`province: ${cities} cities, ${cities * districts} districts, ${allCommunities} communities, ${shape.checkpoints} checkpoints, ${shape.lines} lines`);

  // History: an hourly report per checkpoint and line, a few hours missing. Triggers (the approved-day
  // check: no day is approved here) are off while loading, one day per statement.
  let historyRows = 0;
  await client.query(`ALTER TABLE "CheckpointReport" DISABLE TRIGGER USER`);
  await client.query(`ALTER TABLE "OutputReport" DISABLE TRIGGER USER`);
  try {
    for (let d = shape.days; d >= 1; d--) {
      const started = Date.now();
      const day = [shape.historyEnd, d] as const;
      const hours = `generate_series($1::timestamptz - make_interval(days => $2::int), $1::timestamptz - make_interval(days => $2::int - 1) - interval '1 hour', interval '1 hour') h`;
      const checkpoints = await client.query(
        `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "vehiclesInspected", "peopleScreened", "feverCases", "reportedBy", "createdAt")
         SELECT gen_random_uuid()::text, 'sim-cp-' || i, h, h + interval '1 hour', (random() * 200)::int, (random() * 600)::int, (random() < 0.01)::int, 'sim', h + interval '1 hour 2 minutes'
         FROM generate_series(0, $3::int - 1) i, ${hours}
         WHERE random() >= 0.03`,
        [...day, shape.checkpoints],
      );
      const lines = await client.query(
        `INSERT INTO "OutputReport" (id, "lineId", "periodStart", "periodEnd", produced, "passedQc", "reportedBy", "createdAt")
         SELECT gen_random_uuid()::text, 'sim-l' || l, h, h + interval '1 hour', 800, 790, 'sim', h + interval '1 hour 2 minutes'
         FROM generate_series(0, $3::int - 1) l, ${hours}
         WHERE random() >= 0.03`,
        [...day, shape.lines],
      );
      historyRows += (checkpoints.rowCount ?? 0) + (lines.rowCount ?? 0);
      log(`history: day ${shape.days - d + 1} of ${shape.days} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await client.query(`ALTER TABLE "CheckpointReport" ENABLE TRIGGER USER`);
    await client.query(`ALTER TABLE "OutputReport" ENABLE TRIGGER USER`);
  }
  await client.query('ANALYZE');
  return provinceOf(shape, historyRows);
}

/** The province's ids as buildProvince lays them out (checkpoint i is in city i mod cities). */
export function provinceOf(shape: Pick<ProvinceShape, 'cities' | 'checkpoints'>, historyRows: number): Province {
  const checkpointIds = Array.from({ length: shape.checkpoints }, (_, i) => `sim-cp-${i}`);
  return {
    rootId: PROVINCE_ROOT,
    cityIds: Array.from({ length: shape.cities }, (_, c) => `sim-c${c}`),
    checkpointIds,
    cityOf: new Map(checkpointIds.map((id, i) => [id, `sim-c${i % shape.cities}`])),
    historyRows,
  };
}
