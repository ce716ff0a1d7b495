import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setAttr, setText } from '../../ui/dom.ts';
import { AREA_BOXES, EXPRESSWAY_Y, MAP_SIZE } from '../map-layout.ts';
import { SITE_STATES, type MapArea, type MapSite, type SiteState } from '../map.ts';

const SVG = 'http://www.w3.org/2000/svg';

/** Font size of area names in map units (wall.css sets the same), to wrap them within their boxes. */
const AREA_NAME_SIZE = 18;

/**
 * An area's name within `width` map units, on at most `lines` lines: words wrap (English), else
 * characters; what still does not fit ends in an ellipsis. SVG text does not wrap by itself.
 */
function areaName(text: string, x: number, y: number, width: number, lines: number): SVGTextElement {
  const wide = (ch: string) => (/[\u2e80-\uffff]/.test(ch) ? 1 : 0.56);
  const measure = (t: string) => [...t].reduce((sum, ch) => sum + wide(ch), 0) * AREA_NAME_SIZE;
  const words = /\s/.test(text) ? text.split(/(?<=\s)/) : [...text];
  const rows: string[] = [''];
  for (const word of words) {
    const row = rows.at(-1)!;
    if (row && measure(row + word) > width) rows.push(word.trimStart());
    else rows[rows.length - 1] = row + word;
  }
  if (rows.length > lines) {
    rows.length = lines;
    let last = rows[lines - 1]!;
    while (last && measure(`${last}…`) > width) last = last.slice(0, -1);
    rows[lines - 1] = `${last.trimEnd()}…`;
  }
  return s('text', { class: 'map-area-name', x, y }, ...rows.map((row, i) => s('tspan', { x, dy: i === 0 ? 0 : AREA_NAME_SIZE * 1.15 }, row.trimEnd())));
}

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) el.append(child);
  return el;
}

/**
 * The zone drawn as a schematic (map-layout.ts), every checkpoint a dot coloured by its state, with
 * a legend counting them. An SVG built here: nothing is fetched from outside.
 */
export function createMap(lang: Lang) {
  const t = wallMessages[lang];
  const areasLayer = s('g', { class: 'map-areas' });
  const sitesLayer = s('g', { class: 'map-sites' });
  const svg = s(
    'svg',
    { class: 'map-svg', viewBox: `0 0 ${MAP_SIZE.w} ${MAP_SIZE.h}`, preserveAspectRatio: 'xMidYMid meet', role: 'img', 'aria-label': t.mapTitle },
    s('line', { class: 'map-expressway', x1: 10, y1: EXPRESSWAY_Y, x2: MAP_SIZE.w - 10, y2: EXPRESSWAY_Y }),
    s('text', { class: 'map-feature', x: MAP_SIZE.w - 14, y: EXPRESSWAY_Y - 12, 'text-anchor': 'end' }, t.mapExpressway),
    s('text', { class: 'map-feature', x: MAP_SIZE.w / 2, y: 24, 'text-anchor': 'middle' }, t.mapCity),
    areasLayer,
    sitesLayer,
  );
  const counts = new Map<SiteState, HTMLElement>();
  const legend = h(
    'ul',
    { class: 'map-legend', 'data-testid': 'map-legend' },
    ...SITE_STATES.map((state) => {
      const count = h('span', { class: 'map-legend-count' });
      counts.set(state, count);
      return h('li', { class: `map-legend-item is-${state}`, 'data-state': state }, h('span', { class: 'map-dot' }), h('span', { text: t.mapStates[state] }), count);
    }),
  );
  const el = h('section', { class: 'panel panel-map', 'data-testid': 'map' }, h('div', { class: 'map-head' }, h('h2', { class: 'panel-title', text: t.mapTitle }), legend), h('div', { class: 'map-frame' }, svg));

  let drawnAreas = '';
  const dots = new Map<string, { g: SVGGElement; label: SVGTextElement; title: SVGTitleElement }>();

  return {
    el,
    /** The areas change only with reference data: drawn when they arrive. */
    setAreas(areas: ReadonlyMap<string, MapArea>) {
      const key = [...areas.values()].map((a) => `${a.slug}:${nameIn(lang, a)}`).join('|');
      if (key === drawnAreas) return;
      drawnAreas = key;
      areasLayer.replaceChildren(
        ...Object.entries(AREA_BOXES).map(([slug, box]) => {
          const area = areas.get(slug);
          const level = slug === 'shifanqu' ? 'district' : area?.parentSlug === 'shifanqu' ? 'division' : slug === 'zhulinlu' ? 'community' : 'compound';
          return s(
            'g',
            { class: `map-area is-${level}`, 'data-area': slug },
            s('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 10 }),
            areaName(area ? nameIn(lang, area) : slug, box.x + 12, box.y + 24, box.w - 24, level === 'compound' ? 2 : 1),
          );
        }),
      );
    },
    update(sites: MapSite[]) {
      const seen = new Set<string>();
      for (const site of sites) {
        seen.add(site.slug);
        let dot = dots.get(site.slug);
        if (!dot) {
          const title = s('title', {});
          const label = site.label === 'right' ? s('text', { class: 'map-site-name', x: 18, y: 6, 'text-anchor': 'start' }) : s('text', { class: 'map-site-name', x: 0, y: 34, 'text-anchor': 'middle' });
          const g = s('g', { class: 'map-site', 'data-testid': 'map-site', 'data-site': site.slug }, title, s('circle', { class: 'map-site-halo', r: 17 }), s('circle', { class: 'map-site-dot', r: 10 }), label);
          sitesLayer.append(g);
          dot = { g, label, title };
          dots.set(site.slug, dot);
        }
        setAttr(dot.g, 'transform', `translate(${site.x} ${site.y})`);
        setAttr(dot.g, 'data-state', site.state);
        setAttr(dot.g, 'class', `map-site is-${site.state}`);
        setText(dot.title, `${nameIn(lang, site)} · ${t.mapStates[site.state]}`);
        setText(dot.label, site.inDrawnCompound ? (t.checkpointKinds[site.kind] ?? nameIn(lang, site)) : nameIn(lang, site));
      }
      for (const [slug, dot] of dots) {
        if (seen.has(slug)) continue;
        dot.g.remove();
        dots.delete(slug);
      }
      for (const state of SITE_STATES) setText(counts.get(state)!, String(sites.filter((x) => x.state === state).length));
    },
  };
}
