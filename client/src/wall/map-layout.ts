// The zone's schematic map, laid out by hand: not geography (no tiles, nothing fetched), a drawing
// of how the places nest and where the sites stand relative to one another, in a 1000 × 480 box.
// North is up: the expressway with its two exits along the top, the way into the city (the zone is
// its "southern gate"); the roadside sites and 苏家作乡 to the west; 李万街道 to the east, with
// 竹林路社区 and its four compounds, each gate on its compound's west side. Kept in the client
// because it is a drawing, not data anyone queries: the server has the places and sites (names,
// nesting, states); this file only says where to draw them. A site or area it does not name is
// still drawn, inside the nearest area it does name (map.ts).

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const MAP_SIZE = { w: 1000, h: 480 } as const;

/** Areas by slug, outermost first (drawn in this order). */
export const AREA_BOXES: Readonly<Record<string, Box>> = {
  shifanqu: { x: 8, y: 92, w: 984, h: 380 },
  sujiazuo: { x: 30, y: 330, w: 370, h: 125 },
  liwan: { x: 425, y: 112, w: 552, h: 345 },
  zhulinlu: { x: 443, y: 150, w: 518, h: 292 },
  'changlv-linxigu': { x: 460, y: 185, w: 240, h: 115 },
  'hpu-binhe': { x: 712, y: 185, w: 235, h: 115 },
  'jinshan-dongfang': { x: 460, y: 312, w: 240, h: 115 },
  'baida-jiayuan': { x: 712, y: 312, w: 235, h: 115 },
};

/** The expressway: a line along the top with the exits on it. */
export const EXPRESSWAY_Y = 52;

/** Where a site's name is written: beneath its dot, or to its right. */
export type LabelSide = 'below' | 'right';

/** Sites by slug: where each stands (a gate on its compound's edge, an exit on the expressway). */
export const SITE_POINTS: Readonly<Record<string, { x: number; y: number; label: LabelSide }>> = {
  'yingbin-road-exit': { x: 230, y: EXPRESSWAY_Y, label: 'below' },
  'zhongyuan-road-exit': { x: 720, y: EXPRESSWAY_Y, label: 'below' },
  'lubao-market': { x: 120, y: 160, label: 'below' },
  'fengshou-road': { x: 285, y: 250, label: 'below' },
  'linxigu-gate': { x: 460, y: 262, label: 'right' },
  'binhe-gate': { x: 712, y: 262, label: 'right' },
  'jinshan-gate': { x: 460, y: 389, label: 'right' },
  'baida-supermarket': { x: 712, y: 389, label: 'right' },
};
