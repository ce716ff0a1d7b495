// The schematic map as data: where each checkpoint is drawn and what state colours it. Pure
// functions, tested beside this file; the drawing is view/map.ts, the layout map-layout.ts.
import { AREA_BOXES, SITE_POINTS, type Box, type LabelSide } from './map-layout.ts';
import type { WallAlert } from './alerts.ts';
import { isCheckpointStale, type CheckpointValue } from './state.ts';

/** reporting: on time; late: past its interval without a report (the ranking's 未按时上报); alert: an open or acknowledged alert about it; closed: not in service. */
export type SiteState = 'reporting' | 'late' | 'alert' | 'closed';
export const SITE_STATES: readonly SiteState[] = ['reporting', 'late', 'alert', 'closed'];

export interface MapArea {
  slug: string;
  name: string;
  nameEn: string;
  level: string;
  parentSlug: string | null;
}

export interface MapSite {
  id: string;
  slug: string;
  name: string;
  nameEn: string;
  kind: string;
  /** In a compound the map draws (and names): its label can be the kind of site alone (门岗). */
  inDrawnCompound: boolean;
  state: SiteState;
  x: number;
  y: number;
  label: LabelSide;
  /** Not in the hand-laid layout: placed inside the nearest area that is. */
  placed: boolean;
}

/** A site's state: an alert outranks lateness, a closed site shows neither. */
export function siteState(value: CheckpointValue, alerts: readonly WallAlert[], serverNowMs: number): SiteState {
  if (value.checkpoint.status !== 'ACTIVE') return 'closed';
  if (alerts.some((a) => a.subjectType === 'Checkpoint' && a.subjectId === value.checkpoint.id && a.status !== 'RESOLVED')) return 'alert';
  return isCheckpointStale(value, serverNowMs) ? 'late' : 'reporting';
}

/** The box of the area, or of its nearest ancestor the layout draws (the district's at worst). */
export function drawnBox(areaSlug: string, areas: ReadonlyMap<string, MapArea>): Box {
  const seen = new Set<string>();
  let slug: string | null = areaSlug;
  while (slug && !seen.has(slug)) {
    const box = AREA_BOXES[slug];
    if (box) return box;
    seen.add(slug);
    slug = areas.get(slug)?.parentSlug ?? null;
  }
  return AREA_BOXES.shifanqu!;
}

/** Every site with its place and state, sorted by slug so the drawing is stable. */
export function mapSites(values: Iterable<CheckpointValue>, alerts: readonly WallAlert[], areas: ReadonlyMap<string, MapArea>, serverNowMs: number): MapSite[] {
  const sorted = [...values].sort((a, b) => a.checkpoint.slug.localeCompare(b.checkpoint.slug));
  const unplacedPerBox = new Map<Box, number>();
  return sorted.map((value) => {
    const { checkpoint } = value;
    const fixed = SITE_POINTS[checkpoint.slug];
    let point = fixed;
    if (!point) {
      // Along the bottom of the area's box, one after another.
      const box = drawnBox(checkpoint.area.slug, areas);
      const index = unplacedPerBox.get(box) ?? 0;
      unplacedPerBox.set(box, index + 1);
      point = { x: box.x + 24 + ((index * 48) % Math.max(48, box.w - 48)), y: box.y + box.h - 18 - Math.floor((index * 48) / Math.max(48, box.w - 48)) * 28, label: 'right' as const };
    }
    const inDrawnCompound = areas.get(checkpoint.area.slug)?.level === 'COMPOUND' && AREA_BOXES[checkpoint.area.slug] !== undefined;
    return { id: checkpoint.id, slug: checkpoint.slug, name: checkpoint.name, nameEn: checkpoint.nameEn, kind: checkpoint.kind, inDrawnCompound, state: siteState(value, alerts, serverNowMs), x: point.x, y: point.y, label: point.label, placed: !fixed };
  });
}
