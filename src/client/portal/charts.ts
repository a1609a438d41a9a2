/**
 * Column charts in plain SVG for the portal's money and rating pages: one group of
 * columns per period (or bucket), one column per series, an optional horizontal
 * reference line, every figure also in the chart's `aria-label` and `<title>`, and each
 * column carrying its value in `data-value` (what a test compares with the API). Pure:
 * values in, an SVG element out, built with DOM calls (no inline style, so the page's
 * Content-Security-Policy holds). A chart library was not worth its weight here: three
 * kinds of column chart are about a hundred lines.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 340;
const PLOT_TOP = 18;
const PLOT_HEIGHT = 140;
const AXIS_LABEL_HEIGHT = 30;
const LEGEND_HEIGHT = 20;

export interface ChartSeries {
  name: string;
  colour: string;
}

export interface ChartGroup {
  label: string;
  /** One value per series, in the series' order; null draws nothing (no data). */
  values: Array<number | null>;
}

export interface ColumnChartInput {
  title: string;
  series: ChartSeries[];
  groups: ChartGroup[];
  /** The value at the top of the plot (e.g. 100 % or a score of 5); at least the largest value. */
  max?: number;
  /** How a value reads in labels: "92.5 %", "¥1,200.00", "4.0". */
  format: (value: number) => string;
  /** A dashed line across the plot, e.g. a target rate. */
  reference?: { value: number; label: string };
}

function svgElement(name: string, attributes: Record<string, string | number>): SVGElement {
  const created = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [key, value] of Object.entries(attributes)) created.setAttribute(key, String(value));
  return created;
}

function text(x: number, y: number, content: string, anchor = 'middle'): SVGElement {
  const created = svgElement('text', { x, y, 'font-size': 11, 'text-anchor': anchor, fill: '#1a1a1a' });
  created.textContent = content;
  return created;
}

export function columnChart(input: ColumnChartInput): SVGElement {
  const values = input.groups.flatMap((group) => group.values.filter((value): value is number => value !== null));
  const max = Math.max(input.max ?? 0, ...values, 1e-9);
  const summary = `${input.title}: ${input.groups
    .map(
      (group) =>
        `${group.label} ${group.values
          .map(
            (value, index) =>
              `${input.series.length > 1 ? `${input.series[index]!.name} ` : ''}${value === null ? '—' : input.format(value)}`,
          )
          .join(', ')}`,
    )
    .join('; ')}`;
  const height = PLOT_TOP + PLOT_HEIGHT + AXIS_LABEL_HEIGHT + (input.series.length > 1 ? LEGEND_HEIGHT : 0);
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': summary,
  });
  const title = svgElement('title', {});
  title.textContent = summary;
  svg.append(title);
  const baseline = PLOT_TOP + PLOT_HEIGHT;
  svg.append(svgElement('line', { x1: 0, x2: WIDTH, y1: baseline, y2: baseline, stroke: '#767676' }));
  const groupWidth = WIDTH / Math.max(input.groups.length, 1);
  const columnWidth = Math.min(28, (groupWidth - 8) / Math.max(input.series.length, 1));
  input.groups.forEach((group, groupIndex) => {
    const groupLeft = groupIndex * groupWidth + (groupWidth - columnWidth * input.series.length) / 2;
    group.values.forEach((value, seriesIndex) => {
      if (value === null) return;
      const columnHeight = (Math.max(value, 0) / max) * PLOT_HEIGHT;
      const x = groupLeft + seriesIndex * columnWidth;
      svg.append(
        svgElement('rect', {
          x,
          y: baseline - columnHeight,
          width: columnWidth - 2,
          height: columnHeight,
          fill: input.series[seriesIndex]!.colour,
          'data-group': group.label,
          'data-series': input.series[seriesIndex]!.name,
          'data-value': String(value),
        }),
      );
      if (input.series.length === 1)
        svg.append(text(x + columnWidth / 2 - 1, baseline - columnHeight - 3, input.format(value)));
    });
    svg.append(text(groupIndex * groupWidth + groupWidth / 2, baseline + 14, group.label));
  });
  if (input.reference) {
    const y = baseline - (input.reference.value / max) * PLOT_HEIGHT;
    svg.append(
      svgElement('line', {
        x1: 0,
        x2: WIDTH,
        y1: y,
        y2: y,
        stroke: '#b3261e',
        'stroke-width': 1.5,
        'stroke-dasharray': '4 2',
      }),
    );
    svg.append(text(WIDTH - 2, y - 3, input.reference.label, 'end'));
  }
  if (input.series.length > 1) {
    const legendY = baseline + AXIS_LABEL_HEIGHT + 4;
    input.series.forEach((series, index) => {
      const x = index * 110;
      svg.append(svgElement('rect', { x, y: legendY, width: 12, height: 12, fill: series.colour }));
      svg.append(text(x + 16, legendY + 10, series.name, 'start'));
    });
  }
  return svg;
}

/** A chart in a figure with a visible caption. */
export function chartFigure(id: string, caption: string, chart: SVGElement): HTMLElement {
  const figure = document.createElement('figure');
  figure.id = id;
  const figcaption = document.createElement('figcaption');
  figcaption.textContent = caption;
  figure.append(figcaption, chart);
  return figure;
}
