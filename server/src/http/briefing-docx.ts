// The Word document of a briefing (the `docx` package): the same model as the print page, A4, the
// headquarters' name and issue number in every page's header, page numbers in the footer. The
// charts' figures are in its tables; the charts themselves are on the print page.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { type BriefingDocument, type BriefingTable, briefingModel, type Lang, pick } from './briefing-text.ts';

const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: 'SimSun' };
const RED = 'C00000';
/** A4 in twentieths of a point, and the margins the print page uses (22/18/20 mm). */
const A4 = { width: 11906, height: 16838 };
const mm = (value: number) => Math.round((value / 25.4) * 1440);

function table(t: BriefingTable): (Paragraph | Table)[] {
  const caption = new Paragraph({ spacing: { before: 120, after: 60 }, children: [new TextRun({ text: t.caption, bold: true, size: 19 })] });
  if (!t.rows.length) return t.empty ? [caption, new Paragraph({ children: [new TextRun({ text: t.empty, size: 19 })] })] : [];
  const cell = (text: string, i: number, head = false) =>
    new TableCell({
      margins: { top: 40, bottom: 40, left: 70, right: 70 },
      shading: head ? { fill: 'F1F1F1' } : undefined,
      children: [
        new Paragraph({
          alignment: head ? AlignmentType.CENTER : t.numeric[i] ? AlignmentType.RIGHT : AlignmentType.LEFT,
          children: [new TextRun({ text, bold: head, size: 17 })],
        }),
      ],
    });
  return [
    caption,
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [
        new TableRow({ tableHeader: true, children: t.head.map((h, i) => cell(h, i, true)) }),
        ...t.rows.map((row) => new TableRow({ cantSplit: true, children: row.map((text, i) => cell(text, i)) })),
      ],
    }),
  ];
}

/** The briefing as a .docx file. */
export async function renderBriefingDocx(b: BriefingDocument, lang: Lang): Promise<Buffer> {
  const model = briefingModel(lang, b);
  const body: (Paragraph | Table)[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 80 }, children: [new TextRun({ text: model.title, bold: true, color: RED, size: 60 })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 80 }, children: [new TextRun({ text: model.issue, size: 24 })] }),
    new Paragraph({
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: RED, space: 4 } },
      tabStops: [{ type: 'right', position: A4.width - 2 * mm(18) }],
      spacing: { after: 200 },
      children: [new TextRun({ text: model.headquarters, size: 21 }), new TextRun({ text: `\t${model.date}`, size: 21 })],
    }),
    new Paragraph({ children: [new TextRun({ text: model.basis, size: 20, bold: b.provisional, color: b.provisional ? 'A40000' : undefined })] }),
    ...(model.simulated ? [new Paragraph({ children: [new TextRun({ text: model.simulated, size: 19, color: '7A4B00' })] })] : []),
  ];
  for (const section of model.sections) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 240, after: 100 }, children: [new TextRun({ text: section.heading, bold: true, size: 27, color: '000000' })] }));
    for (const block of section.blocks) {
      if ('paragraph' in block) {
        body.push(
          new Paragraph({
            indent: lang === 'zh' && !block.emphasis ? { firstLine: 440 } : undefined,
            spacing: { after: 80, line: 360 },
            alignment: AlignmentType.JUSTIFIED,
            children: [new TextRun({ text: block.paragraph, bold: block.emphasis, size: 22 })],
          }),
        );
      } else if ('table' in block) body.push(...table(block.table));
    }
  }
  body.push(new Paragraph({ spacing: { before: 240 }, children: [new TextRun({ text: model.footer, size: 16, color: '555555' })] }));

  const document = new Document({
    creator: model.headquarters,
    title: `${model.title} ${model.issue} ${model.date}`,
    description: model.basis,
    styles: { default: { document: { run: { font: FONT, size: 22 } } } },
    sections: [
      {
        properties: { page: { size: A4, margin: { top: mm(22), right: mm(18), bottom: mm(20), left: mm(18), header: mm(10), footer: mm(10) } } },
        headers: {
          default: new Header({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: `${model.headquarters} · ${model.title} ${model.issue}`, size: 17, color: '555555' })] })],
          }),
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ size: 18, children: [pick(lang, '第 ', 'Page '), PageNumber.CURRENT, pick(lang, ' 页 / 共 ', ' of '), PageNumber.TOTAL_PAGES, pick(lang, ' 页', '')] }),
                ],
              }),
            ],
          }),
        },
        children: body,
      },
    ],
  });
  return Packer.toBuffer(document);
}
