// The dataset view's plots as data: for each, its bars (text, value, colour,
// and what clicking it filters the image list by) and its table for the CSV
// export. The figures come from the host (dataset.stats, computed in SQL);
// nothing here counts annotations.
import type { AnnotationOrigin, DatasetStats, ImageStatus, ReviewFilter } from '../../../common/contract/index.js';
import { STATUS_NAMES } from './statusNames.js';

/** What clicking a bar does to the image list: a status (the list's own filter) or a change of the review filter. */
export type BarClick = { kind: 'status'; status: ImageStatus } | { kind: 'filter'; patch: Partial<ReviewFilter> };

export interface ChartBar {
  text: string;
  value: number;
  colour: string;
  click: BarClick;
}

export interface DatasetChart {
  id: 'labels' | 'statuses' | 'annotationsPerImage' | 'sizeClasses' | 'sideHistogram' | 'origins';
  title: string;
  /** A share of a whole (a doughnut) or bars. */
  type: 'bar' | 'doughnut';
  /** What a bar's value counts ("instances", "images", "annotations"). */
  unit: string;
  bars: ChartBar[];
  /** The CSV export: a header row and one row per bar. */
  table: { header: string[]; rows: (string | number)[][] };
}

const ACCENT = '#60a5fa';
const STATUS_COLOURS: Record<ImageStatus, string> = { todo: '#9ca3af', in_progress: '#f59e0b', done: '#22c55e' };
const ORIGIN_COLOURS = ['#60a5fa', '#f472b6', '#34d399', '#fbbf24', '#a78bfa', '#f87171', '#2dd4bf', '#fb923c'];

export const originName = (origin: AnnotationOrigin): string =>
  origin.kind === 'accepted' ? 'Accepted proposals' : origin.source === 'manual' ? 'Manual' : origin.source;

/** A side length or area bound as text: whole pixels without decimals. */
const px = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export function datasetCharts(stats: DatasetStats): DatasetChart[] {
  const totalAnnotations = stats.origins.reduce((sum, row) => sum + row.annotations, 0);
  return [
    {
      id: 'labels',
      title: 'Instances per label',
      type: 'bar',
      unit: 'instances',
      bars: stats.labels.map((row) => ({
        text: row.name,
        value: row.instances,
        colour: row.colour,
        click: { kind: 'filter', patch: { labelId: row.labelId } },
      })),
      table: {
        header: ['label', 'instances', 'images'],
        rows: stats.labels.map((row) => [row.name, row.instances, row.images]),
      },
    },
    {
      id: 'statuses',
      title: 'Images per status',
      type: 'bar',
      unit: 'images',
      bars: stats.statuses.map((row) => ({
        text: STATUS_NAMES[row.status],
        value: row.images,
        colour: STATUS_COLOURS[row.status],
        click: { kind: 'status', status: row.status },
      })),
      table: { header: ['status', 'images'], rows: stats.statuses.map((row) => [row.status, row.images]) },
    },
    {
      id: 'annotationsPerImage',
      title: 'Annotations per image',
      type: 'bar',
      unit: 'images',
      bars: stats.annotationsPerImage.map((bin) => ({
        text: bin.min === bin.max ? String(bin.min) : `${bin.min}–${bin.max}`,
        value: bin.images,
        colour: ACCENT,
        click: { kind: 'filter', patch: { minAnnotations: bin.min, maxAnnotations: bin.max } },
      })),
      table: {
        header: ['annotations_min', 'annotations_max', 'images'],
        rows: stats.annotationsPerImage.map((bin) => [bin.min, bin.max, bin.images]),
      },
    },
    {
      id: 'sizeClasses',
      title: 'Object size (COCO: small < 32², medium < 96², large)',
      type: 'bar',
      unit: 'annotations',
      bars: stats.sizeClasses.map((row) => ({
        text: row.size,
        value: row.annotations,
        colour: ACCENT,
        click: { kind: 'filter', patch: { minArea: row.minArea, maxArea: row.maxArea ?? undefined } },
      })),
      table: {
        header: ['size', 'area_min', 'area_max', 'annotations'],
        rows: stats.sizeClasses.map((row) => [row.size, row.minArea, row.maxArea ?? '', row.annotations]),
      },
    },
    {
      id: 'sideHistogram',
      title: 'Object size: √area (px)',
      type: 'bar',
      unit: 'annotations',
      bars: stats.sideHistogram.map((bin) => ({
        text: `${px(bin.minSide)}–${px(bin.maxSide)}`,
        value: bin.annotations,
        colour: ACCENT,
        click: { kind: 'filter', patch: { minArea: bin.minSide ** 2, maxArea: bin.maxSide ** 2 } },
      })),
      table: {
        header: ['sqrt_area_min', 'sqrt_area_max', 'annotations'],
        rows: stats.sideHistogram.map((bin) => [bin.minSide, bin.maxSide, bin.annotations]),
      },
    },
    {
      id: 'origins',
      title: 'Annotations by source',
      type: 'doughnut',
      unit: 'annotations',
      bars: stats.origins.map((row, index) => ({
        text: originName(row.origin),
        value: row.annotations,
        colour: ORIGIN_COLOURS[index % ORIGIN_COLOURS.length]!,
        click: { kind: 'filter', patch: { origin: row.origin } },
      })),
      table: {
        header: ['origin', 'source', 'annotations', 'share'],
        rows: stats.origins.map((row) => [
          row.origin.kind,
          row.origin.kind === 'source' ? row.origin.source : '',
          row.annotations,
          totalAnnotations === 0 ? 0 : Number((row.annotations / totalAnnotations).toFixed(4)),
        ]),
      },
    },
  ];
}

/**
 * RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes
 * doubled; CRLF line ends. A text field that a spreadsheet would run as a
 * formula (a label named "=HYPERLINK(…)") gets a leading apostrophe.
 */
export function toCsv(table: DatasetChart['table']): string {
  const field = (value: string | number): string => {
    const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [table.header, ...table.rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
