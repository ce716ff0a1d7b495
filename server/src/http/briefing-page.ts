// The printable page of a briefing: one self-contained HTML document (styles and charts inline, no
// font, script or image fetched from anywhere), laid out for A4 with the headquarters' name and the
// issue number at the top of every page and page numbers at the bottom.
import { type Block, type BriefingDocument, type BriefingModel, type BriefingTable, briefingModel, clockText, dateTimeText, dayText, type Lang, num, pick } from './briefing-text.ts';

const html = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** A CSS string literal (for @page margin boxes). */
const cssString = (text: string) => `"${text.replace(/["\\]/g, (c) => `\\${c}`).replace(/\n/g, ' ')}"`;

/** The briefing's print page, in the language asked. */
export function renderBriefingPage(b: BriefingDocument, lang: Lang): string {
  const model = briefingModel(lang, b);
  const running = `${model.headquarters} · ${model.title} ${model.issue}`;
  const pageNumber = lang === 'zh' ? '"第 " counter(page) " 页 / 共 " counter(pages) " 页"' : '"Page " counter(page) " of " counter(pages)';
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(`${model.title} ${model.issue} ${model.date}`)}</title>
<style>
@page {
  size: A4;
  margin: 22mm 18mm 20mm 18mm;
  @top-center { content: ${cssString(running)}; font-size: 8.5pt; color: #555; font-family: ${FONTS}; }
  @bottom-center { content: ${pageNumber}; font-size: 9pt; color: #333; font-family: ${FONTS}; }
}
@page :first { @top-center { content: none; } }
:root { color-scheme: light; }
html { background: #e9e9e9; }
body { font-family: ${FONTS}; font-size: 11pt; line-height: 1.65; color: #111; margin: 0; }
.sheet { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 22mm 18mm 20mm; background: #fff; box-shadow: 0 1px 6px rgba(0,0,0,.25); }
header.masthead { text-align: center; border-bottom: 2.5pt solid #c00; padding-bottom: 3mm; margin-bottom: 5mm; }
.masthead h1 { color: #c00; font-size: 30pt; letter-spacing: ${lang === 'zh' ? '.35em' : '.04em'}; margin: 2mm 0 2mm ${lang === 'zh' ? '.35em' : '0'}; font-weight: 700; }
.masthead .issue { font-size: 12pt; margin: 0; }
.masthead .line { display: flex; justify-content: space-between; gap: 6mm; font-size: 10.5pt; margin-top: 3mm; text-align: left; }
.masthead .line span:last-child { white-space: nowrap; }
.basis { font-size: 10pt; margin: 0 0 1mm; }
.basis.provisional { color: #a40000; font-weight: 700; }
.simulated { font-size: 9.5pt; color: #7a4b00; margin: 0 0 3mm; }
h2 { font-size: 13.5pt; margin: 6mm 0 2mm; font-weight: 700; break-after: avoid; }
p { margin: 0 0 2mm; text-indent: ${lang === 'zh' ? '2em' : '0'}; text-align: justify; }
p.emphasis { font-weight: 700; text-indent: 0; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figcaption, .caption { font-size: 9.5pt; font-weight: 700; margin: 2mm 0 1mm; }
.caption { break-after: avoid; }
table { width: 100%; border-collapse: collapse; font-size: 8.8pt; line-height: 1.35; margin-bottom: 3mm; table-layout: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: .6pt solid #444; padding: 1mm 1.4mm; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f1f1f1; font-weight: 700; text-align: center; overflow-wrap: normal; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.none { font-size: 9.5pt; color: #444; text-indent: 0; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: ${FONTS}; }
footer.colophon { margin-top: 6mm; border-top: .6pt solid #999; padding-top: 2mm; font-size: 8pt; color: #555; }
@media print {
  html { background: none; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
</style>
</head>
<body>
<main class="sheet">
<header class="masthead">
<h1>${html(model.title)}</h1>
<p class="issue">${html(model.issue)}</p>
<div class="line"><span>${html(model.headquarters)}</span><span>${html(model.date)}</span></div>
</header>
<p class="basis${b.provisional ? ' provisional' : ''}">${html(model.basis)}</p>
${model.simulated ? `<p class="simulated">${html(model.simulated)}</p>` : ''}
${model.sections.map((section) => `<section>\n<h2>${html(section.heading)}</h2>\n${section.blocks.map((block) => renderBlock(block, b, lang)).join('\n')}\n</section>`).join('\n')}
<footer class="colophon">${html(model.footer)} · ${html(pick(lang, '印发', 'Issued'))} ${html(dateTimeText(b.issuedAt, b.timeZone))}</footer>
</main>
</body>
</html>
`;
}

/** System fonts only: CJK serif first (Noto/Source Han, SimSun, Songti), then a Latin serif. */
const FONTS = '"Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", SimSun, "Songti SC", "Times New Roman", serif';

function renderBlock(block: Block, b: BriefingDocument, lang: Lang): string {
  if ('paragraph' in block) return `<p${block.emphasis ? ' class="emphasis"' : ''}>${html(block.paragraph)}</p>`;
  if ('table' in block) return renderTable(block.table);
  return block.chart === 'hourly' ? hourlyChart(b, lang) : dailyChart(b, lang);
}

function renderTable(t: BriefingTable): string {
  if (!t.rows.length) return t.empty ? `<p class="caption">${html(t.caption)}</p><p class="none">${html(t.empty)}</p>` : '';
  const cell = (text: string, i: number) => `<td${t.numeric[i] ? ' class="n"' : ''}>${html(text)}</td>`;
  return `<div class="caption">${html(t.caption)}</div>
<table><thead><tr>${t.head.map((h) => `<th>${html(h)}</th>`).join('')}</tr></thead>
<tbody>${t.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n')}</tbody></table>`;
}

// ───────────────────────────── charts ─────────────────────────────

const W = 680;
const H = 220;
const PAD = { left: 54, right: 46, top: 16, bottom: 34 };

/** A round upper bound for an axis: 1, 2 or 5 × a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

function axes(maxLeft: number, maxRight: number | null, leftLabel: string, rightLabel: string | null): string {
  const plotH = H - PAD.top - PAD.bottom;
  const lines: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + plotH - (plotH * i) / 4;
    lines.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd" stroke-width="1"/>`);
    lines.push(`<text x="${PAD.left - 5}" y="${y + 3.5}" font-size="10" text-anchor="end" fill="#333">${num((maxLeft * i) / 4)}</text>`);
    if (maxRight !== null) lines.push(`<text x="${W - PAD.right + 5}" y="${y + 3.5}" font-size="10" fill="#b00">${num((maxRight * i) / 4)}</text>`);
  }
  lines.push(`<text x="${PAD.left}" y="10" font-size="10" fill="#333">${html(leftLabel)}</text>`);
  if (rightLabel) lines.push(`<text x="${W - PAD.right}" y="10" font-size="10" text-anchor="end" fill="#b00">${html(rightLabel)}</text>`);
  return lines.join('');
}

/** The day's screening per hour: bars of people screened, fever cases marked in red above their hour. */
function hourlyChart(b: BriefingDocument, lang: Lang): string {
  const points = b.charts.hourly;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(...points.map((p) => p.peopleScreened), 0));
  const slot = plotW / Math.max(points.length, 1);
  const bars = points
    .map((p, i) => {
      const h = (p.peopleScreened / max) * plotH;
      const x = PAD.left + i * slot + slot * 0.15;
      const y = PAD.top + plotH - h;
      const label = i % 3 === 0 ? `<text x="${x + slot * 0.35}" y="${H - PAD.bottom + 14}" font-size="10" text-anchor="middle" fill="#333">${clockText(p.start, b.timeZone)}</text>` : '';
      const fever = p.feverCases > 0 ? `<text x="${x + slot * 0.35}" y="${y - 3}" font-size="9.5" text-anchor="middle" fill="#c00" font-weight="700">${num(p.feverCases)}</text>` : '';
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#2f5597"/>${fever}${label}`;
    })
    .join('');
  const caption = pick(lang, `图2 ${dayText(lang, b.day)}各时段测温人数（柱）与发热人员（红色数字）`, `Figure 2. People screened per hour on ${dayText(lang, b.day)} (bars), fever cases in red`);
  return figure(caption, `${axes(max, null, pick(lang, '测温人数', 'People screened'), null)}${bars}`);
}

/** The response curve: people screened per day (line), fever cases per day (red bars, right axis). */
function dailyChart(b: BriefingDocument, lang: Lang): string {
  const points = b.charts.daily;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxPeople = niceMax(Math.max(...points.map((p) => p.peopleScreened), 0));
  const maxFever = niceMax(Math.max(...points.map((p) => p.feverCases), 0));
  const slot = plotW / Math.max(points.length, 1);
  const x = (i: number) => PAD.left + i * slot + slot / 2;
  const y = (value: number, max: number) => PAD.top + plotH - (value / max) * plotH;
  const fever = points
    .map((p, i) => {
      const h = (p.feverCases / maxFever) * plotH;
      return `<rect x="${(x(i) - slot * 0.25).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(slot * 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="#e06666"/>`;
    })
    .join('');
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.peopleScreened, maxPeople).toFixed(1)}`).join(' ');
  const every = Math.max(1, Math.ceil(points.length / 10));
  const labels = points
    .map((p, i) => (i % every === 0 || i === points.length - 1 ? `<text x="${x(i).toFixed(1)}" y="${H - PAD.bottom + 14}" font-size="10" text-anchor="middle" fill="#333">${Number(p.day.slice(5, 7))}/${Number(p.day.slice(8))}</text>` : ''))
    .join('');
  const caption = pick(lang, `图1 ${dayText(lang, points[0]?.day ?? b.day)}以来每日测温人数（折线）与发热人员（红柱，右轴）`, `Figure 1. People screened per day since ${dayText(lang, points[0]?.day ?? b.day)} (line) and fever cases (red bars, right axis)`);
  return figure(
    caption,
    `${axes(maxPeople, maxFever, pick(lang, '测温人数', 'People screened'), pick(lang, '发热人员', 'Fever cases'))}${fever}<path d="${path}" fill="none" stroke="#2f5597" stroke-width="2"/>${points.map((p, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(p.peopleScreened, maxPeople).toFixed(1)}" r="2.2" fill="#2f5597"/>`).join('')}${labels}`,
  );
}

function figure(caption: string, body: string): string {
  return `<figure><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${html(caption)}" xmlns="http://www.w3.org/2000/svg">${body}</svg><figcaption>${html(caption)}</figcaption></figure>`;
}

export type { BriefingModel };
