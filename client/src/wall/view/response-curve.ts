import { init } from 'echarts/core';
import { localDate } from '@fangkong/zone';
import { formatCompact } from '../../format/number.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setAttr, setText } from '../../ui/dom.ts';
import type { HourlySeries } from '../state.ts';

// Drawn with the modules the hourly chart registers (lines, bars, grid, canvas): nothing more to load.


const CYAN = '#3fd0ff';
const RED = '#ff5d5d';
const FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/** People screened and fever cases per day since 27 January, small, beneath the hourly chart (today's day still running). */
export function createResponseCurve(lang: Lang) {
  const t = wallMessages[lang];
  const canvas = h('div', { class: 'curve-chart', 'data-testid': 'response-curve' });
  const title = h('div', { class: 'curve-title' });
  const el = h('div', { class: 'curve' }, title, canvas);
  let chart: ReturnType<typeof init> | null = null;
  let last: HourlySeries | null = null;
  let fontPx = 16;

  function draw(series: HourlySeries, timeZone: string) {
    const days = (series.daily ?? []).map((p) => ({ day: localDate(Date.parse(p.start), timeZone), people: p.counts.peopleScreened, fever: p.counts.feverCases }));
    // What is drawn, for whoever checks it: one point per day.
    setAttr(canvas, 'data-points', JSON.stringify(days));
    setText(title, days[0] ? t.responseCurve(days[0].day) : '');
    const fs = fontPx * 0.8;
    chart!.setOption(
      {
        animation: false,
        textStyle: { fontFamily: FONT, color: '#c9d6f0' },
        grid: { left: fs * 3.6, right: fs * 2.4, top: fs * 0.8, bottom: fs * 1.8 },
        xAxis: {
          type: 'category',
          data: days.map((d) => `${Number(d.day.slice(5, 7))}/${Number(d.day.slice(8, 10))}`),
          axisLine: { lineStyle: { color: '#33476d' } },
          axisTick: { show: false },
          axisLabel: { color: '#8ea3c8', fontSize: fs, fontFamily: FONT },
        },
        yAxis: [
          { type: 'value', minInterval: 1, splitNumber: 2, splitLine: { lineStyle: { color: 'rgba(80,110,160,0.22)' } }, axisLabel: { color: '#8ea3c8', fontSize: fs, fontFamily: FONT, formatter: (v: number) => formatCompact(v, lang) } },
          { type: 'value', minInterval: 1, splitNumber: 2, max: (e: { max: number }) => Math.max(2, Math.ceil(e.max * 2)), splitLine: { show: false }, axisLabel: { color: '#d07a7a', fontSize: fs, fontFamily: FONT } },
        ],
        series: [
          { name: t.peopleScreened, type: 'line', data: days.map((d) => d.people), symbol: 'none', lineStyle: { color: CYAN, width: fs * 0.18 }, areaStyle: { color: 'rgba(63,208,255,0.15)' } },
          { name: t.fever, type: 'bar', yAxisIndex: 1, data: days.map((d) => d.fever), barWidth: '45%', itemStyle: { color: RED, opacity: 0.8 } },
        ],
      },
      { notMerge: true },
    );
  }

  return {
    el,
    update(series: HourlySeries | null, timeZone: string) {
      if (!chart && canvas.isConnected) chart = init(canvas, undefined, { renderer: 'canvas' });
      if (!chart || !series || series === last) return;
      last = series;
      draw(series, timeZone);
    },
    resize() {
      fontPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      chart?.resize();
    },
  };
}
