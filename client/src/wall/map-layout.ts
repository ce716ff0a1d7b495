// The zone's schematic map, laid out by hand: not geography (no tiles, nothing fetched), a drawing
// of how the places nest and where the sites stand relative to one another, in a 1000 × 560 box.
// North is up: the expressway with its two exits along the top, the way into the city (the zone is
// its "southern gate"); 苏家作乡 to the south-west; 李万街道 to the east, with 竹林路社区 and its four
// compounds. Kept in the client because it is a drawing, not data anyone queries: the server has the
// places and sites (names, nesting, states); this file only says where to draw them. A site or area
// it does not name is still drawn, inside the nearest area it does name (map.ts).

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const MAP_SIZE = { w: 1000, h: 560 } as const;

/** Areas by slug, outermost first (drawn in this order). */
export const AREA_BOXES: Readonly<Record<string, Box>> = {
  shifanqu: { x: 10, y: 130, w: 980, h: 420 },
  sujiazuo: { x: 40, y: 330, w: 360, h: 200 },
  liwan: { x: 440, y: 170, w: 530, h: 365 },
  zhulinlu: { x: 460, y: 210, w: 490, h: 310 },
  'changlv-linxigu': { x: 480, y: 245, w: 220, h: 115 },
  'hpu-binhe': { x: 715, y: 245, w: 220, h: 115 },
  'jinshan-dongfang': { x: 480, y: 390, w: 220, h: 115 },
  'baida-jiayuan': { x: 715, y: 390, w: 220, h: 115 },
};

/** The expressway: a line along the top with the exits on it. */
export const EXPRESSWAY_Y = 75;

/** Sites by slug: where each stands (a gate on its compound's edge, an exit on the expressway). */
export const SITE_POINTS: Readonly<Record<string, { x: number; y: number }>> = {
  'yingbin-road-exit': { x: 230, y: EXPRESSWAY_Y },
  'zhongyuan-road-exit': { x: 700, y: EXPRESSWAY_Y },
  'fengshou-road': { x: 300, y: 235 },
  'lubao-market': { x: 110, y: 235 },
  'linxigu-gate': { x: 590, y: 360 },
  'binhe-gate': { x: 825, y: 360 },
  'jinshan-gate': { x: 590, y: 505 },
  'baida-supermarket': { x: 825, y: 455 },
};
