import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatCompact } from '../../format/number.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h } from '../../ui/dom.ts';
import type { HourlySeries } from '../state.ts';

// Only what this chart draws: lines, bars, a grid and a legend on canvas.
use([LineChart, BarChart, GridComponent, LegendComponent, CanvasRenderer]);

type Option = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption>;

const CYAN = '#3fd0ff';
const DIM = '#7d8fb3';
const RED = '#ff5d5d';
const FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/** People screened per local hour, today against yesterday, with today's fever cases as bars. */
export function createHourlyChart(lang: Lang) {
  const t = wallMessages[lang];
  const canvas = h('div', { class: 'chart', 'data-testid': 'hourly-chart' });
  const el = h('section', { class: 'panel panel-chart' }, h('h2', { class: 'panel-title', text: t.hourly }), canvas);
  let chart: ReturnType<typeof init> | null = null;
  let last: HourlySeries | null = null;
  let fontPx = 16;

  const hours = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0'));

  function option(series: HourlySeries | null): Option {
    const fs = fontPx;
    // The running hour is partial: drawn apart, dashed from the last full hour, so it does not read
    // as a collapse.
    const running = series?.runningHour ?? null;
    const full = (series?.today ?? []).map((v, hour) => (hour === running ? null : v));
    const partial = (series?.today ?? []).map((v, hour) => (running !== null && (hour === running || hour === running - 1) ? v : null));
    return {
      animationDuration: 600,
      animationDurationUpdate: 600,
      // Canvas needs real family names: an invalid font string is ignored and text falls back to 10 px.
      textStyle: { fontFamily: FONT, color: '#c9d6f0' },
      grid: { left: fs * 3.8, right: fs * 2.6, top: fs * 3.2, bottom: fs * 2.4 },
      legend: {
        top: 0,
        right: 0,
        itemWidth: fs * 1.6,
        itemHeight: fs * 0.6,
        itemGap: fs * 1.4,
        textStyle: { color: '#c9d6f0', fontSize: fs * 1.0, fontFamily: FONT },
        data: [t.today, t.partialHour, t.yesterday, t.fever],
      },
      xAxis: {
        type: 'category',
        data: hours,
        boundaryGap: true,
        axisLine: { lineStyle: { color: '#33476d' } },
        axisTick: { show: false },
        axisLabel: { color: '#8ea3c8', fontSize: fs * 0.95, fontFamily: FONT, interval: 2, formatter: (h: string) => t.hour(Number(h)) },
      },
      yAxis: [
        {
          type: 'value',
          // Whole people: with all values 0 the axis would otherwise label 0.2, 0.4… all as "0".
          minInterval: 1,
          // Three steps: the chart shares its column with the stock rows, and five labels would touch.
          splitNumber: 3,
          splitLine: { lineStyle: { color: 'rgba(80,110,160,0.22)' } },
          axisLabel: { color: '#8ea3c8', fontSize: fs * 0.95, fontFamily: FONT, formatter: (v: number) => formatCompact(v, lang) },
        },
        {
          type: 'value',
          minInterval: 1,
          splitNumber: 3,
          // Fever cases are few: keep their bars in the lower part so they do not drown the lines.
          max: (extent: { max: number }) => Math.max(4, Math.ceil(extent.max * 2.5)),
          splitLine: { show: false },
          axisLabel: { color: '#d07a7a', fontSize: fs * 0.95, fontFamily: FONT },
        },
      ],
      series: [
        {
          name: t.yesterday,
          type: 'line',
          data: series?.yesterday ?? [],
          smooth: true,
          symbol: 'none',
          lineStyle: { color: DIM, width: fs * 0.14, type: 'dashed' },
          itemStyle: { color: DIM },
          z: 2,
        },
        {
          name: t.today,
          type: 'line',
          data: full,
          smooth: true,
          symbol: 'circle',
          symbolSize: fs * 0.45,
          connectNulls: false,
          lineStyle: { color: CYAN, width: fs * 0.22, shadowColor: 'rgba(63,208,255,0.6)', shadowBlur: fs * 0.6 },
          itemStyle: { color: CYAN },
          areaStyle: {
            color: {
              type: 'linear',
              x: 0,
              y: 0,
              x2: 0,
              y2: 1,
              colorStops: [
                { offset: 0, color: 'rgba(63,208,255,0.35)' },
                { offset: 1, color: 'rgba(63,208,255,0.02)' },
              ],
            },
          },
          z: 3,
        },
        {
          name: t.partialHour,
          type: 'line',
          data: partial,
          smooth: false,
          symbol: 'emptyCircle',
          symbolSize: fs * 0.7,
          connectNulls: false,
          lineStyle: { color: CYAN, width: fs * 0.18, type: 'dashed' },
          itemStyle: { color: CYAN, borderColor: CYAN, borderWidth: fs * 0.15 },
          z: 4,
        },
        {
          name: t.fever,
          type: 'bar',
          yAxisIndex: 1,
          data: series?.feverToday ?? [],
          barWidth: '38%',
          itemStyle: { color: RED, opacity: 0.8, borderRadius: [fs * 0.2, fs * 0.2, 0, 0] },
          z: 1,
        },
      ],
    } as Option;
  }

  function ensure() {
    if (chart || !canvas.isConnected) return;
    chart = init(canvas, undefined, { renderer: 'canvas' });
  }

  return {
    el,
    update(series: HourlySeries | null) {
      ensure();
      if (!chart || series === last) return;
      last = series;
      chart.setOption(option(series));
    },
    /** Fonts and widths follow the root font size, which follows the screen. */
    resize() {
      const root = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const changed = root !== fontPx;
      fontPx = root;
      if (!chart) return;
      chart.resize();
      if (changed) chart.setOption(option(last), { notMerge: true });
    },
  };
}
