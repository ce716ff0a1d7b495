import { describe, expect, it } from 'vitest';
import type { WallAlert } from './alerts.ts';
import { AREA_BOXES, SITE_POINTS } from './map-layout.ts';
import { drawnBox, mapSites, siteState, type MapArea } from './map.ts';
import type { CheckpointValue } from './state.ts';

const NOW = Date.parse('2020-02-10T02:00:00Z');
const site = (slug: string, area: string, lastReportAt: string | null, status: 'ACTIVE' | 'CLOSED' = 'ACTIVE'): CheckpointValue => ({
  asOf: '2020-02-10T02:00:00Z',
  asOfSeq: '1',
  lastReportAt,
  checkpoint: { id: `id-${slug}`, slug, name: slug, nameEn: slug, kind: 'COMPOUND_GATE', status, reportIntervalMinutes: 60, area: { slug: area } },
  today: { vehiclesInspected: 0, peopleScreened: 0, feverCases: 0, reports: 1, simulatedReports: 0 },
});
const alert = (subjectId: string, status: WallAlert['status'] = 'OPEN'): WallAlert => ({
  id: `alert-${subjectId}`,
  subjectType: 'Checkpoint',
  subjectId,
  kind: 'FEVER_AT_ENTRY',
  severity: 'HIGH',
  status,
  message: '',
  messageEn: '',
  raisedAt: '2020-02-10T01:00:00Z',
});
const areas = new Map<string, MapArea>([
  ['shifanqu', { slug: 'shifanqu', name: '示范区', nameEn: 'Zone', level: 'DISTRICT', parentSlug: null }],
  ['liwan', { slug: 'liwan', name: '李万街道', nameEn: 'Liwan', level: 'SUBDISTRICT', parentSlug: 'shifanqu' }],
  ['zhulinlu', { slug: 'zhulinlu', name: '竹林路社区', nameEn: 'Zhulin Road', level: 'COMMUNITY', parentSlug: 'liwan' }],
  ['hpu-binhe', { slug: 'hpu-binhe', name: '滨河小区', nameEn: 'Binhe', level: 'COMPOUND', parentSlug: 'zhulinlu' }],
  ['new-compound', { slug: 'new-compound', name: '新小区', nameEn: 'New', level: 'COMPOUND', parentSlug: 'zhulinlu' }],
]);

describe('the schematic map', () => {
  it('colours a site by its state: an open or acknowledged alert about it, else late past its interval, else reporting; closed sites neither', () => {
    const fresh = site('binhe-gate', 'hpu-binhe', '2020-02-10T01:30:00Z');
    const late = site('binhe-gate', 'hpu-binhe', '2020-02-10T00:30:00Z');
    expect(siteState(fresh, [], NOW)).toBe('reporting');
    expect(siteState(late, [], NOW)).toBe('late');
    expect(siteState(fresh, [alert('id-binhe-gate')], NOW)).toBe('alert');
    expect(siteState(late, [alert('id-binhe-gate', 'ACKNOWLEDGED')], NOW)).toBe('alert');
    expect(siteState(fresh, [alert('id-other')], NOW)).toBe('reporting');
    expect(siteState(fresh, [{ ...alert('id-binhe-gate'), subjectType: 'ProductionLine' }], NOW)).toBe('reporting');
    expect(siteState(site('binhe-gate', 'hpu-binhe', null, 'CLOSED'), [alert('id-binhe-gate')], NOW)).toBe('closed');
  });

  it('places laid-out sites where the layout says, and a site it does not name inside the nearest area it draws', () => {
    const sites = mapSites([site('binhe-gate', 'hpu-binhe', '2020-02-10T01:30:00Z'), site('new-gate', 'new-compound', null), site('other-gate', 'nowhere', null)], [], areas, NOW);
    const bySlug = Object.fromEntries(sites.map((s) => [s.slug, s]));
    expect(bySlug['binhe-gate']).toMatchObject({ ...SITE_POINTS['binhe-gate'], placed: false, inDrawnCompound: true, state: 'reporting' });
    const community = AREA_BOXES.zhulinlu!;
    expect(drawnBox('new-compound', areas)).toBe(community);
    const placed = bySlug['new-gate']!;
    expect(placed).toMatchObject({ placed: true, inDrawnCompound: false, state: 'late' });
    expect(placed.x).toBeGreaterThan(community.x);
    expect(placed.x).toBeLessThan(community.x + community.w);
    expect(placed.y).toBeGreaterThan(community.y);
    expect(placed.y).toBeLessThan(community.y + community.h);
    expect(drawnBox('nowhere', areas)).toBe(AREA_BOXES.shifanqu);
  });
});
