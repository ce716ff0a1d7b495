import { $Enums } from '@fangkong/prisma';
import { CHECKPOINT_FIGURE_NAMES } from '@fangkong/zone';

// The codes the standard exports (exports.ts) name things by in the partner's system: DHIS2 data
// elements, category option combos and org units, FHIR canonical URLs. A deployment sets its own in
// a JSON file (FANGKONG_EXPORT_CODES, read by the server); whatever it leaves out keeps the default.

/** The figures every export carries, in order: the six checkpoint figures, mask output, people under isolation. */
export const EXPORT_FIGURES = [...CHECKPOINT_FIGURE_NAMES, 'masksProduced', 'masksPassedQc', 'peopleUnderIsolation'] as const;
export type ExportFigure = (typeof EXPORT_FIGURES)[number];

export interface ExportCodes {
  dhis2: {
    /** The data set the values belong to (omitted from the document when null). */
    dataSet: string | null;
    /** Data element per figure. */
    dataElements: Record<ExportFigure, string>;
    /** Category option combo of each checkpoint kind, for the figures broken down by kind. */
    checkpointKinds: Record<string, string>;
    /** Category option combo of totals: DHIS2's built-in default combo. */
    defaultCategoryOptionCombo: string;
    /** Org unit per area id; an area not named is sent by its own id. */
    orgUnits: Record<string, string>;
  };
  fhir: {
    /** Canonical URL of the Measure the reports are of. */
    measure: string;
    /** Code system of the figures (group codes). */
    figureSystem: string;
    /** Code system of checkpoint kinds (stratum values). */
    checkpointKindSystem: string;
    /** Who reports. */
    reporter: string;
  };
}

const snake = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

export const DEFAULT_EXPORT_CODES: ExportCodes = {
  dhis2: {
    dataSet: null,
    dataElements: Object.fromEntries(EXPORT_FIGURES.map((f) => [f, `FK_${snake(f)}`])) as Record<ExportFigure, string>,
    checkpointKinds: Object.fromEntries(Object.values($Enums.CheckpointKind).map((k) => [k, `FK_${k}`])),
    defaultCategoryOptionCombo: 'HllvX50cXC0',
    orgUnits: {},
  },
  fhir: {
    measure: 'urn:fangkong:Measure:daily-figures',
    figureSystem: 'urn:fangkong:CodeSystem:figures',
    checkpointKindSystem: 'urn:fangkong:CodeSystem:checkpoint-kinds',
    reporter: '示范区新型冠状病毒肺炎疫情防控指挥部 (Demonstration Zone novel coronavirus prevention and control headquarters)',
  },
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The defaults with a deployment's codes laid over them; throws naming the first key that is not a
 * non-empty string (or an unknown figure or section).
 */
export function exportCodes(overrides: unknown): ExportCodes {
  if (!isRecord(overrides)) throw new Error('must be a JSON object with "dhis2" and/or "fhir"');
  const codes: ExportCodes = structuredClone(DEFAULT_EXPORT_CODES);
  const text = (path: string, value: unknown) => {
    if (typeof value !== 'string' || !value.trim()) throw new Error(`${path} must be a non-empty string`);
    return value;
  };
  for (const key of Object.keys(overrides)) if (key !== 'dhis2' && key !== 'fhir') throw new Error(`unknown section "${key}"; use dhis2 and fhir`);
  const dhis2 = overrides.dhis2 ?? {};
  const fhir = overrides.fhir ?? {};
  if (!isRecord(dhis2) || !isRecord(fhir)) throw new Error('dhis2 and fhir must be objects');
  for (const [key, value] of Object.entries(dhis2)) {
    if (key === 'dataSet') codes.dhis2.dataSet = value === null ? null : text('dhis2.dataSet', value);
    else if (key === 'defaultCategoryOptionCombo') codes.dhis2.defaultCategoryOptionCombo = text(`dhis2.${key}`, value);
    else if (key === 'dataElements' || key === 'checkpointKinds' || key === 'orgUnits') {
      if (!isRecord(value)) throw new Error(`dhis2.${key} must be an object`);
      const known = key === 'dataElements' ? (EXPORT_FIGURES as readonly string[]) : key === 'checkpointKinds' ? Object.keys(DEFAULT_EXPORT_CODES.dhis2.checkpointKinds) : null;
      for (const [name, code] of Object.entries(value)) {
        if (known && !known.includes(name)) throw new Error(`dhis2.${key}.${name}: unknown; use one of ${known.join(', ')}`);
        (codes.dhis2[key] as Record<string, string>)[name] = text(`dhis2.${key}.${name}`, code);
      }
    } else throw new Error(`unknown key dhis2.${key}`);
  }
  for (const [key, value] of Object.entries(fhir)) {
    if (!(key in codes.fhir)) throw new Error(`unknown key fhir.${key}`);
    codes.fhir[key as keyof ExportCodes['fhir']] = text(`fhir.${key}`, value);
  }
  return codes;
}
