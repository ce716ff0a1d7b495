import type { Lang } from '../i18n/messages.ts';

const integer = {
  zh: new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }),
};

/** A count with digit grouping: 12,345. Non-finite values show as a dash. */
export function formatCount(value: number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return integer[lang].format(Math.round(value));
}

/** A share as a whole percentage (0.874 → "87%"); one decimal below 10 %. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  return `${pct > 0 && pct < 10 ? pct.toFixed(1) : Math.round(pct).toString()}%`;
}

/** Compact counts for tight places: 12,345 → "1.2万" / "12.3k". */
export function formatCompact(value: number, lang: Lang): string {
  const abs = Math.abs(value);
  if (lang === 'zh') {
    if (abs >= 1e8) return `${trim(value / 1e8)}亿`;
    if (abs >= 1e4) return `${trim(value / 1e4)}万`;
    return formatCount(value, lang);
  }
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return formatCount(value, lang);
}

const trim = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toString() : n.toFixed(1).replace(/\.0$/, ''));
