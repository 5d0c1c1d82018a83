// The COCO parts of `promptlabel import` and `export`: their options and what
// they print. Counts a user must see (duplicates, clipped points, dropped
// rings, unlabeled annotations) go to stdout with the result, not only stderr.
// The import and export themselves run through the format registry
// (datasetFormats.ts), as every format's do.
import {
  COCO_DUPLICATE_MODES,
  COCO_IMAGE_SIZES,
  type CocoDuplicateMode,
  type CocoImageSize,
  type CocoImportSummary,
  type DatasetExportSummary,
} from '../../common/contract/index.js';
import type { ExportOptions } from '../../core/formats/converter.js';
import { type CliCommand, UsageError } from './types.js';

type Io = Parameters<CliCommand['run']>[1];

export const COCO_IMPORT_USAGE =
  'promptlabel import --project DIR --coco FILE [--duplicates skip|replace|add]\n' +
  '       promptlabel import --project DIR --format coco FILE [--duplicates skip|replace|add]   (the same)';
export const COCO_EXPORT_USAGE =
  'promptlabel export --project DIR --format coco --out FILE [--captions] [--overwrite]\n' +
  '                          [--masks rle|polygons] [--boxes polygon|bbox] [--decimals N] [--image-size display|raw]';

/** parseArgs options the COCO import adds. */
export const COCO_IMPORT_OPTIONS = { duplicates: { type: 'string' } } as const;
/** parseArgs options the COCO export adds. */
export const COCO_EXPORT_OPTIONS = {
  masks: { type: 'string' },
  boxes: { type: 'string' },
  decimals: { type: 'string' },
  'image-size': { type: 'string' },
} as const;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be ${allowed.join(', ')}, not "${value}".`);
  return value as T;
}

export const cocoDuplicates = (flag: string | undefined): CocoDuplicateMode =>
  oneOf<CocoDuplicateMode>('duplicates', flag, COCO_DUPLICATE_MODES, 'skip');

export function printCocoImport(summary: CocoImportSummary, io: Io): void {
  io.stdout(
    `Imported ${summary.annotations} annotations and ${summary.captions} captions on ${summary.images} images; ${summary.categoriesAdded} new labels.\n`,
  );
  for (const note of summary.notes) io.stdout(`  ${note}\n`);
  const kept = Object.entries(summary.keptFields);
  if (kept.length > 0) io.stdout(`  Kept for export: ${kept.map(([name, count]) => `${name} (${count})`).join(', ')}.\n`);
}

export interface CocoExportFlags {
  out: string;
  captions?: boolean;
  overwrite?: boolean;
  masks?: string;
  boxes?: string;
  decimals?: string;
  'image-size'?: string;
}

/** The COCO export's options from its flags (undefined where not given: the export's defaults). */
export function cocoExportOptions(flags: CocoExportFlags): ExportOptions {
  let decimals: number | undefined;
  if (flags.decimals !== undefined) {
    decimals = Number(flags.decimals);
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10)
      throw new UsageError(`--decimals must be 0..10, not "${flags.decimals}".`);
  }
  return {
    includeCaptions: flags.captions ?? false,
    masks: oneOf('masks', flags.masks, ['rle', 'polygons'] as const, 'rle'),
    boxes: oneOf('boxes', flags.boxes, ['polygon', 'bbox'] as const, 'polygon'),
    decimals,
    imageSize: oneOf<CocoImageSize>('image-size', flags['image-size'], COCO_IMAGE_SIZES, 'display'),
  };
}

/** True when any COCO-only export flag is given. */
export const hasCocoExportFlags = (flags: CocoExportFlags): boolean =>
  Boolean(flags.captions) || [flags.masks, flags.boxes, flags.decimals, flags['image-size']].some((v) => v !== undefined);

export function printCocoExport(result: NonNullable<DatasetExportSummary['coco']>, io: Io): void {
  io.stdout(
    `Wrote ${result.path}: ${result.images} images, ${result.annotations} annotations, ${result.categories} categories (${result.imageSize} image size).\n`,
  );
  if (result.skippedUnlabeled > 0) io.stdout(`  Skipped ${result.skippedUnlabeled} unlabeled annotations (COCO needs a category).\n`);
  if (result.masksKeptAsRle > 0)
    io.stdout(`  ${result.masksKeptAsRle} shapes with holes written as RLE (COCO polygons cannot hold holes).\n`);
  if (result.skippedImages.length > 0) {
    io.stderr(`Skipped ${result.skippedImages.length} unreadable images (and their annotations):\n`);
    for (const { file, reason } of result.skippedImages) io.stderr(`  ${file}: ${reason}\n`);
  }
  if (result.captionsPath !== undefined)
    io.stdout(`Wrote ${result.captions} captions to ${result.captionsPath} and ${result.narrativesPath}.\n`);
}
