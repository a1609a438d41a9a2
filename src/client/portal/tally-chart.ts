/**
 * A proposal's live tally as horizontal bars in plain SVG, one chart for area and one for
 * heads: each option's share of the pinned census, the participating total, the Art. 278
 * participation line (quorum: e.g. 2/3 of all area or heads) across the participating bar,
 * and the pass line (e.g. more than 1/2 of the participating) across the option bars.
 * Pure: values in, an SVG element out (built with DOM calls, so the page needs no inline
 * style or script under its Content-Security-Policy).
 */
const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const LABEL_WIDTH = 88;
const BAR_HEIGHT = 18;
const ROW_GAP = 8;

export interface Fraction {
  numerator: number;
  denominator: number;
}

export interface TallyChartInput {
  title: string;
  /** One row per option: label and value (weight in 0.01 m², or heads). */
  rows: Array<{ label: string; value: bigint }>;
  /** The pinned census's total weight or head count. */
  total: bigint;
  participation: Fraction | null;
  approval: Fraction | null;
  labels: { participating: string; quorum: string; pass: string };
}

function svgElement(name: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function text(x: number, y: number, content: string, anchor = 'start'): SVGElement {
  const element = svgElement('text', { x, y, 'font-size': 12, 'text-anchor': anchor, fill: '#1a1a1a' });
  element.textContent = content;
  return element;
}

/** The share of `value` in `total` as a fraction of the bar area's width. */
function share(value: bigint, total: bigint): number {
  if (total <= 0n) return 0;
  return Number((value * 10_000n) / total) / 10_000;
}

export function tallyChart(input: TallyChartInput): SVGElement {
  const participating = input.rows.reduce((sum, row) => sum + row.value, 0n);
  const rows = [...input.rows, { label: input.labels.participating, value: participating }];
  const barArea = WIDTH - LABEL_WIDTH - 8;
  const height = rows.length * (BAR_HEIGHT + ROW_GAP) + 24;
  const summary = `${input.title}: ${rows.map((row) => `${row.label} ${row.value} / ${input.total}`).join('; ')}`;
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': summary,
  });
  const title = svgElement('title', {});
  title.textContent = summary;
  svg.append(title);
  rows.forEach((row, index) => {
    const y = index * (BAR_HEIGHT + ROW_GAP);
    const isTotal = index === rows.length - 1;
    svg.append(text(0, y + 13, row.label));
    svg.append(svgElement('rect', { x: LABEL_WIDTH, y, width: barArea, height: BAR_HEIGHT, fill: '#e8e8e8' }));
    const width = Math.max(share(row.value, input.total) * barArea, row.value > 0n ? 2 : 0);
    svg.append(
      svgElement('rect', { x: LABEL_WIDTH, y, width, height: BAR_HEIGHT, fill: isTotal ? '#4a4a4a' : '#1f5fa8' }),
    );
    svg.append(text(LABEL_WIDTH + barArea - 4, y + 13, `${(share(row.value, input.total) * 100).toFixed(1)}%`, 'end'));
  });
  const bottom = rows.length * (BAR_HEIGHT + ROW_GAP);
  const line = (fraction: number, fromRow: number, toRow: number, colour: string, caption: string) => {
    const x = LABEL_WIDTH + fraction * barArea;
    const y1 = fromRow * (BAR_HEIGHT + ROW_GAP) - 3;
    const y2 = toRow * (BAR_HEIGHT + ROW_GAP) - ROW_GAP + 3;
    svg.append(
      svgElement('line', { x1: x, x2: x, y1, y2, stroke: colour, 'stroke-width': 2, 'stroke-dasharray': '4 2' }),
    );
    svg.append(text(Math.min(x, WIDTH - 4), bottom + 14, caption, x > WIDTH - 60 ? 'end' : 'middle'));
  };
  if (input.participation) {
    const quorum = input.participation.numerator / input.participation.denominator;
    line(
      quorum,
      rows.length - 1,
      rows.length,
      '#b3261e',
      `${input.labels.quorum} ${input.participation.numerator}/${input.participation.denominator}`,
    );
  }
  if (input.approval && participating > 0n) {
    const pass = (input.approval.numerator / input.approval.denominator) * share(participating, input.total);
    line(
      pass,
      0,
      rows.length - 1,
      '#1b6e20',
      `${input.labels.pass} ${input.approval.numerator}/${input.approval.denominator}`,
    );
  }
  return svg;
}
