// The baseline: the two read operations written by hand against the same tables, with the same SQL
// statements the schema sends (schema/src/zone-summary.ts, checkpoint-counts.ts), shaped into the
// JSON the GraphQL response carries. No GraphQL parsing, validation or resolver tree; no ORM.

/** The least a database must offer the handler: parameterised queries and a snapshot. */
export interface SqlClient {
  query<R>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface SqlDatabase extends SqlClient {
  /** Runs `work` in one REPEATABLE READ transaction. */
  snapshot<T>(work: (client: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface BaselineOptions {
  timeZone: string;
  now: () => Date;
}

type Numeric = string | number | bigint | null | undefined;
const n = (value: Numeric) => Number(value ?? 0);
const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');
/** An instant parameter, compared the way the schema compares it. */
const instant = (index: number) => `$${index}::timestamptz`;

const countColumns = `
  COALESCE(SUM(r."vehiclesInspected"), 0)::bigint AS "vehiclesInspected",
  COALESCE(SUM(r."peopleScreened"), 0)::bigint AS "peopleScreened",
  COALESCE(SUM(r."feverCases"), 0)::bigint AS "feverCases",
  COALESCE(SUM(r."hubeiLinked"), 0)::bigint AS "hubeiLinked",
  COALESCE(SUM(r."referred"), 0)::bigint AS "referred",
  COALESCE(SUM(r."disinfections"), 0)::bigint AS "disinfections",
  COUNT(r.id)::bigint AS "reports",
  COUNT(r.id) FILTER (WHERE r.source = 'SIMULATED')::bigint AS "simulatedReports"`;

interface CountRow {
  vehiclesInspected: Numeric;
  peopleScreened: Numeric;
  feverCases: Numeric;
  hubeiLinked: Numeric;
  referred: Numeric;
  disinfections: Numeric;
  reports: Numeric;
  simulatedReports: Numeric;
}

const counts = (row: CountRow | undefined) => ({
  vehiclesInspected: n(row?.vehiclesInspected),
  peopleScreened: n(row?.peopleScreened),
  feverCases: n(row?.feverCases),
  hubeiLinked: n(row?.hubeiLinked),
  referred: n(row?.referred),
  disinfections: n(row?.disinfections),
  reports: n(row?.reports),
  simulatedReports: n(row?.simulatedReports),
});

interface ProductRow {
  id: string;
  name: string;
  nameEn: string;
  category: string;
  unit: string;
  unitEn: string;
}

const product = (row: ProductRow) => ({
  id: globalId('Product', row.id),
  slug: row.id,
  name: row.name,
  nameEn: row.nameEn,
  category: row.category,
  unit: row.unit,
  unitEn: row.unitEn,
});

interface FigureRow {
  produced: Numeric;
  passedQc: Numeric;
  ratedCapacity: Numeric;
  linesProducing: Numeric;
  simulatedReports: Numeric;
}

const figures = (row: FigureRow | undefined) => ({
  produced: n(row?.produced),
  passedQc: n(row?.passedQc),
  ratedCapacity: n(row?.ratedCapacity),
  linesProducing: n(row?.linesProducing),
  simulatedReports: n(row?.simulatedReports),
});

// --- the zone's day ----------------------------------------------------------------------------

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions, locale: string) {
  let format = cache.get(timeZone);
  if (!format) cache.set(timeZone, (format = new Intl.DateTimeFormat(locale, { timeZone, ...options })));
  return format;
}

/** Offset of the zone from UTC at an instant, in ms, read from the "GMT+08:00" name. */
function offsetAt(instant: number, timeZone: string): number {
  const name = cached(offsetFormats, timeZone, { timeZoneName: 'longOffset' }, 'en-US')
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000 : 0;
}

function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone));
}

/** YYYY-MM-DD of an instant in the zone. */
export function localDate(instant: Date, timeZone: string): string {
  return cached(dateFormats, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }, 'en-CA').format(instant);
}

export function zoneDay(day: string, timeZone: string): { start: Date; end: Date } {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, date + 1));
  return {
    start: localMidnight(year, month, date, timeZone),
    end: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}

// --- the operations ----------------------------------------------------------------------------

export async function zoneSummary(db: SqlDatabase, day: string, options: BaselineOptions) {
  const { start, end } = zoneDay(day, options.timeZone);
  const now = options.now();
  const at = now < end ? now : end;
  const [startIso, endIso, atIso] = [start.toISOString(), end.toISOString(), at.toISOString()];

  const { seq, kinds, production, isolation, stock } = await db.snapshot(async (tx) => ({
    // As the server reads it: the newest event below the outbox horizon (prisma/src/outbox.ts).
    seq: await tx.query<{ seq: Numeric }>(`SELECT fangkong_outbox_position() AS seq`),
    kinds: await tx.query<CountRow & { kind: string | null; checkpoints: Numeric }>(
      `SELECT c.kind, COUNT(DISTINCT c.id)::bigint AS checkpoints, ${countColumns}
       FROM "Checkpoint" c
       LEFT JOIN "CheckpointReport" r ON r."checkpointId" = c.id AND r."supersededAt" IS NULL
         AND r."periodStart" >= ${instant(1)} AND r."periodStart" < ${instant(2)}
       GROUP BY GROUPING SETS ((c.kind), ())
       ORDER BY c.kind NULLS FIRST`,
      [startIso, endIso],
    ),
    production: await tx.query<ProductRow & FigureRow & { grouped: Numeric }>(
      `WITH line_state AS (
         SELECT l.id, l."productId", l."ratedDailyCapacity",
           COALESCE((SELECT s."to" FROM "LineStatusChange" s WHERE s."lineId" = l.id AND s.at <= ${instant(1)} ORDER BY s.at DESC LIMIT 1), l.status) AS status
         FROM "ProductionLine" l
       ), line_output AS (
         SELECT o."lineId", SUM(o.produced) AS produced, SUM(o."passedQc") AS "passedQc",
           COUNT(*) FILTER (WHERE o.source = 'SIMULATED') AS simulated
         FROM "OutputReport" o
         WHERE o."supersededAt" IS NULL AND o."periodStart" >= ${instant(2)} AND o."periodStart" < ${instant(3)}
         GROUP BY o."lineId"
       )
       SELECT p.id, p.name, p."nameEn", p.category, p.unit, p."unitEn", GROUPING(p.id) AS grouped,
         COALESCE(SUM(lo.produced), 0)::bigint AS produced,
         COALESCE(SUM(lo."passedQc"), 0)::bigint AS "passedQc",
         COALESCE(SUM(ls."ratedDailyCapacity") FILTER (WHERE ls.status = 'PRODUCING'), 0)::bigint AS "ratedCapacity",
         COUNT(ls.id) FILTER (WHERE ls.status = 'PRODUCING')::bigint AS "linesProducing",
         COALESCE(SUM(lo.simulated), 0)::bigint AS "simulatedReports"
       FROM "Product" p
       LEFT JOIN line_state ls ON ls."productId" = p.id
       LEFT JOIN line_output lo ON lo."lineId" = ls.id
       GROUP BY GROUPING SETS ((p.id, p.name, p."nameEn", p.category, p.unit, p."unitEn"), (p.category))
       ORDER BY p.category, p.id NULLS FIRST`,
      [atIso, startIso, endIso],
    ),
    isolation: await tx.query<{ active: Numeric; simulated: Numeric }>(
      `SELECT COUNT(*)::bigint AS active, COUNT(*) FILTER (WHERE simulated)::bigint AS simulated
       FROM "IsolationCase"
       WHERE "startedAt" <= ${instant(1)} AND ("endedAt" IS NULL OR "endedAt" > ${instant(1)})`,
      [atIso],
    ),
    stock: await tx.query<ProductRow & { produced: Numeric; allocated: Numeric }>(
      `SELECT p.id, p.name, p."nameEn", p.category, p.unit, p."unitEn",
         COALESCE(made.total, 0)::bigint AS produced, COALESCE(sent.total, 0)::bigint AS allocated
       FROM "Product" p
       LEFT JOIN (
         SELECT l."productId", SUM(o.produced) AS total
         FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId"
         WHERE o."supersededAt" IS NULL AND o."periodStart" < ${instant(1)}
         GROUP BY l."productId"
       ) made ON made."productId" = p.id
       LEFT JOIN (
         SELECT a."productId", SUM(a.quantity) AS total
         FROM "Allocation" a
         WHERE a.status <> 'CANCELLED' AND a."plannedAt" < ${instant(1)}
         GROUP BY a."productId"
       ) sent ON sent."productId" = p.id
       ORDER BY p.category, p.id`,
      [endIso],
    ),
  }));

  return {
    zoneSummary: {
      day,
      dayStart: startIso,
      dayEnd: endIso,
      timeZone: options.timeZone,
      checkpointTotals: counts(kinds.find((row) => row.kind === null)),
      byCheckpointKind: kinds
        .filter((row) => row.kind !== null)
        .map((row) => ({ kind: row.kind, checkpoints: n(row.checkpoints), counts: counts(row) })),
      production: {
        masks: figures(production.find((row) => n(row.grouped) === 1 && row.category === 'MASK')),
        byProduct: production.filter((row) => n(row.grouped) === 0).map((row) => ({ product: product(row), figures: figures(row) })),
      },
      peopleUnderIsolation: n(isolation[0]?.active),
      simulatedIsolationCases: n(isolation[0]?.simulated),
      stock: stock.map((row) => ({
        product: product(row),
        produced: n(row.produced),
        allocated: n(row.allocated),
        stock: n(row.produced) - n(row.allocated),
      })),
      asOfSeq: String(seq[0]?.seq ?? 0),
    },
  };
}

export async function checkpointPage(db: SqlDatabase, first: number, options: BaselineOptions) {
  // One row more than asked tells whether a next page exists, as the connection does.
  const rows = await db.query<{ id: string; name: string; nameEn: string; kind: string }>(
    `SELECT id, name, "nameEn", kind FROM "Checkpoint" ORDER BY kind ASC, id ASC LIMIT $1`,
    [first + 1],
  );
  const page = rows.slice(0, first);
  const { start, end } = zoneDay(localDate(options.now(), options.timeZone), options.timeZone);
  const today = page.length
    ? await db.query<CountRow & { checkpointId: string }>(
        `SELECT r."checkpointId", ${countColumns}
         FROM "CheckpointReport" r
         WHERE r."supersededAt" IS NULL
           AND r."checkpointId" = ANY($1::text[])
           AND r."periodStart" >= ${instant(2)} AND r."periodStart" < ${instant(3)}
         GROUP BY r."checkpointId"`,
        [page.map((row) => row.id), start.toISOString(), end.toISOString()],
      )
    : [];
  const byId = new Map(today.map((row) => [row.checkpointId, row]));
  return {
    checkpoints: {
      pageInfo: { hasNextPage: rows.length > first },
      edges: page.map((row) => ({
        node: { id: globalId('Checkpoint', row.id), name: row.name, nameEn: row.nameEn, kind: row.kind, today: counts(byId.get(row.id)) },
      })),
    },
  };
}
