// The COCO parts of `promptlabel import` and `export`: their options and what
// they print. Counts a user must see (duplicates, clipped points, dropped
// rings, unlabeled annotations) go to stdout with the result, not only stderr.
import { resolve } from 'node:path';

import { COCO_DUPLICATE_MODES, COCO_IMAGE_SIZES, type CocoDuplicateMode, type CocoImageSize } from '../../common/contract/index.js';
import { exportCoco } from '../../core/coco/export.js';
import { importCoco } from '../../core/coco/import.js';
import { Project } from '../../core/store/project.js';
import { progressPrinter } from './progress.js';
import { type CliCommand, UsageError } from './types.js';

type Io = Parameters<CliCommand['run']>[1];

export const COCO_IMPORT_USAGE = 'promptlabel import --project DIR --coco FILE [--duplicates skip|replace|add]';
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

export async function importCocoFile(dir: string, file: string, duplicatesFlag: string | undefined, io: Io): Promise<number> {
  const duplicates = oneOf<CocoDuplicateMode>('duplicates', duplicatesFlag, COCO_DUPLICATE_MODES, 'skip');
  const project = Project.open(dir);
  try {
    const summary = await importCoco(project, file, progressPrinter(io, 'import'), { duplicates });
    io.stdout(
      `Imported ${summary.annotations} annotations and ${summary.captions} captions on ${summary.images} images; ${summary.categoriesAdded} new labels.\n`,
    );
    for (const note of summary.notes) io.stdout(`  ${note}\n`);
    const kept = Object.entries(summary.keptFields);
    if (kept.length > 0) io.stdout(`  Kept for export: ${kept.map(([name, count]) => `${name} (${count})`).join(', ')}.\n`);
    return 0;
  } finally {
    project.close();
  }
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

export async function exportCocoFile(dir: string, flags: CocoExportFlags, io: Io): Promise<number> {
  let decimals: number | undefined;
  if (flags.decimals !== undefined) {
    decimals = Number(flags.decimals);
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10)
      throw new UsageError(`--decimals must be 0..10, not "${flags.decimals}".`);
  }
  const options = {
    // A relative --out is relative to where the command runs, as users expect of a CLI.
    outPath: resolve(flags.out),
    includeCaptions: flags.captions ?? false,
    overwrite: flags.overwrite ?? false,
    masks: oneOf('masks', flags.masks, ['rle', 'polygons'] as const, 'rle'),
    boxes: oneOf('boxes', flags.boxes, ['polygon', 'bbox'] as const, 'polygon'),
    decimals,
    imageSize: oneOf<CocoImageSize>('image-size', flags['image-size'], COCO_IMAGE_SIZES, 'display'),
  };
  const project = Project.open(dir);
  try {
    const result = await exportCoco(project, options, progressPrinter(io, 'export'));
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
    if (flags.captions) io.stdout(`Wrote ${result.captions} captions to ${result.captionsPath} and ${result.narrativesPath}.\n`);
    return 0;
  } finally {
    project.close();
  }
}
