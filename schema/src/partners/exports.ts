import { CHECKPOINT_FIGURE_NAMES, CHECKPOINT_FIGURES, type CheckpointFigure, localDay, type LocalDay } from '@fangkong/zone';
import type { MeasureReport, MeasureReportGroup } from 'fhir/r4.js';
import { ErrorCode } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { userError } from '../core/errors.ts';
import type { Context } from '../core/context.ts';
import { AreaRef } from '../places/places.ts';
import { computeZoneSummary, type ZoneSummary } from '../summary/zone-summary.ts';
import { DEFAULT_EXPORT_CODES, EXPORT_FIGURES, type ExportCodes, type ExportFigure } from './export-codes.ts';

// The day's figures in the formats partners' health information systems import: a DHIS2
// `dataValueSets` document and an HL7 FHIR R4 `MeasureReport`. Both are made from the same
// zoneSummary (live figures of the local day, for the zone or an area), with the deployment's codes.

const LABELS: Record<ExportFigure, string> = {
  ...(Object.fromEntries(CHECKPOINT_FIGURES.map((f) => [f.name, `${f.en} (${f.zh})`])) as Record<(typeof CHECKPOINT_FIGURES)[number]['name'], string>),
  masksProduced: 'Masks produced (口罩产量)',
  masksPassedQc: 'Masks that passed quality control (口罩质检合格)',
  peopleUnderIsolation: 'People under home isolation (居家隔离人数)',
};

function totals(summary: ZoneSummary): Record<ExportFigure, number> {
  return { ...summary.checkpointTotals, masksProduced: summary.masks.produced, masksPassedQc: summary.masks.passedQc, peopleUnderIsolation: summary.peopleUnderIsolation };
}

const isCheckpointFigure = (figure: ExportFigure): figure is CheckpointFigure => (CHECKPOINT_FIGURE_NAMES as readonly string[]).includes(figure);

/** The area the figures are of: the one asked for, or the zone's root. */
async function areaOf(ctx: Context, within: string | null) {
  const area = within ? await ctx.prisma.area.findUnique({ where: { id: within } }) : await ctx.prisma.area.findFirst({ where: { parentId: null }, orderBy: { id: 'asc' } });
  if (!area) throw userError(within ? `within: no area with id ${within}` : 'no area is loaded yet', ErrorCode.NotFound);
  return area;
}

/** DHIS2 `dataValueSets` JSON (import with dataElementIdScheme=CODE and orgUnitIdScheme=CODE unless the codes are UIDs). */
export function dhis2DataValueSet(codes: ExportCodes['dhis2'], summary: ZoneSummary, orgUnit: string, day: LocalDay) {
  const period = day.day.replaceAll('-', '');
  const value = (figure: ExportFigure, n: number, categoryOptionCombo: string) => ({
    dataElement: codes.dataElements[figure],
    period,
    orgUnit,
    categoryOptionCombo,
    value: String(n),
  });
  const all = totals(summary);
  return {
    ...(codes.dataSet ? { dataSet: codes.dataSet } : {}),
    period,
    orgUnit,
    dataValues: [
      ...EXPORT_FIGURES.map((figure) => value(figure, all[figure], codes.defaultCategoryOptionCombo)),
      ...summary.byCheckpointKind.flatMap((kind) =>
        EXPORT_FIGURES.filter(isCheckpointFigure).map((figure) => value(figure, kind.counts[figure], codes.checkpointKinds[kind.kind] ?? `FK_${kind.kind}`)),
      ),
    ],
  };
}

/** An HL7 FHIR R4 MeasureReport (type summary): one group per figure, checkpoint figures stratified by checkpoint kind. */
export function fhirMeasureReport(codes: ExportCodes['fhir'], summary: ZoneSummary, area: { id: string; name: string; nameEn: string }, day: LocalDay, now: Date): MeasureReport {
  const all = totals(summary);
  const group = (figure: ExportFigure): MeasureReportGroup => ({
    code: { coding: [{ system: codes.figureSystem, code: figure, display: LABELS[figure] }], text: LABELS[figure] },
    measureScore: { value: all[figure] },
    ...(isCheckpointFigure(figure) && summary.byCheckpointKind.length
      ? {
          stratifier: [
            {
              code: [{ coding: [{ system: codes.checkpointKindSystem, code: 'checkpoint-kind', display: 'Kind of checkpoint' }], text: 'Kind of checkpoint' }],
              stratum: summary.byCheckpointKind.map((kind) => ({
                value: { coding: [{ system: codes.checkpointKindSystem, code: kind.kind }], text: kind.kind },
                measureScore: { value: kind.counts[figure] },
              })),
            },
          ],
        }
      : {}),
  });
  return {
    resourceType: 'MeasureReport',
    id: `fangkong-${area.id}-${day.day}`.slice(0, 64),
    // A day still running is provisional.
    status: now >= day.end ? 'complete' : 'pending',
    type: 'summary',
    measure: codes.measure,
    subject: { display: `${area.name} (${area.nameEn})` },
    date: summary.asOf.toISOString(),
    reporter: { display: codes.reporter },
    period: { start: day.start.toISOString(), end: day.end.toISOString() },
    group: EXPORT_FIGURES.map(group),
  };
}

async function exportInput(ctx: Context, args: { day: string; within?: { id: string } | null }) {
  const now = ctx.now();
  const day = localDay(args.day, ctx.timeZone);
  const within = args.within ? String(args.within.id) : null;
  const [summary, area] = await Promise.all([computeZoneSummary(ctx.prisma, day, ctx.timeZone, now, within), areaOf(ctx, within)]);
  return { now, day, summary, area, codes: ctx.exportCodes ?? DEFAULT_EXPORT_CODES };
}

builder.queryFields((t) => ({
  dhis2DataValueSet: t.field({
    authScopes: { aggregates: true },
    type: 'JSONObject',
    description:
      "The day's figures as a DHIS2 dataValueSets document (POST it to /api/dataValueSets): one value per figure, and the checkpoint figures again per kind of checkpoint (as category option combos); codes from FANGKONG_EXPORT_CODES.",
    args: {
      day: t.arg({ type: 'Date', required: true, description: 'The local day (YYYY-MM-DD).' }),
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only this area and below it (its org unit); default the whole zone.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { day, summary, area, codes } = await exportInput(ctx, args);
      return dhis2DataValueSet(codes.dhis2, summary, codes.dhis2.orgUnits[area.id] ?? area.id, day);
    },
  }),
  fhirMeasureReport: t.field({
    authScopes: { aggregates: true },
    type: 'JSONObject',
    description: "The day's figures as an HL7 FHIR R4 MeasureReport (summary): a group per figure, checkpoint figures stratified by kind of checkpoint; `pending` while the day runs.",
    args: {
      day: t.arg({ type: 'Date', required: true, description: 'The local day (YYYY-MM-DD).' }),
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only this area and below it (its org unit); default the whole zone.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { now, day, summary, area, codes } = await exportInput(ctx, args);
      return fhirMeasureReport(codes.fhir, summary, area, day, now) as unknown as Record<string, unknown>;
    },
  }),
}));
