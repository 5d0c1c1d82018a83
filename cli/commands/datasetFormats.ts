// `import --format F PATH` and `export --format F --out DIR|FILE` for every
// format of core/formats/registry.ts (COCO and COCO results too: they print
// their own reports, see cocoCli.ts; LN keeps its own path in the commands).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { DATASET_FORMATS, type DatasetFormat, type FormatCount } from '../../common/contract/index.js';
import { exportDataset } from '../../core/formats/exportDataset.js';
import { importDataset, parseLabelMap } from '../../core/formats/importDataset.js';
import { Project } from '../../core/store/project.js';
import {
  cocoDuplicates,
  type CocoExportFlags,
  cocoExportOptions,
  hasCocoExportFlags,
  printCocoExport,
  printCocoImport,
} from './cocoCli.js';
import { progressPrinter } from './progress.js';
import { type CliIo, UsageError } from './types.js';

export const isDatasetFormat = (format: string | undefined): format is DatasetFormat =>
  format !== undefined && (DATASET_FORMATS as readonly string[]).includes(format);

export const DATASET_FORMAT_LIST = DATASET_FORMATS.join(', ');

const countLines = (title: string, counts: readonly FormatCount[]) =>
  counts.length === 0 ? '' : `${title}\n${counts.map(({ what, count }) => `  ${count} ${what}\n`).join('')}`;

export async function importFormatCommand(
  dir: string,
  format: DatasetFormat,
  input: string,
  labelMapFile: string | undefined,
  duplicatesFlag: string | undefined,
  io: CliIo,
): Promise<number> {
  if (duplicatesFlag !== undefined && format !== 'coco') throw new UsageError('--duplicates goes with --coco or --format coco.');
  const duplicates = format === 'coco' ? cocoDuplicates(duplicatesFlag) : undefined;
  let labelMap: Record<string, string> | undefined;
  if (labelMapFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(labelMapFile, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read the label map ${labelMapFile}: ${(error as Error).message}`);
    }
    labelMap = parseLabelMap(text, labelMapFile);
  }
  const project = Project.open(dir);
  try {
    const summary = await importDataset(project, format, resolve(input), { labelMap, duplicates }, progressPrinter(io, 'import'));
    if (summary.coco) {
      printCocoImport(summary.coco, io);
      return 0;
    }
    if (summary.results) {
      const { proposals, images, labelsAdded, unmatched } = summary.results;
      io.stdout(`Imported ${proposals} proposals on ${images} images for review${labelsAdded ? ` (${labelsAdded} labels added)` : ''}.\n`);
      if (unmatched > 0) io.stderr(`${unmatched} results name images this project does not have; they were left out.\n`);
      return 0;
    }
    io.stdout(
      `Imported ${summary.annotations} annotations on ${summary.images} images from ${format}; ${summary.labelsAdded} new labels.\n`,
    );
    if (summary.clipped > 0) io.stdout(`Moved ${summary.clipped} vertices lying up to 1 px outside their image onto its border.\n`);
    io.stderr(countLines('Not imported (this project cannot hold them):', summary.notImported));
    io.stdout(countLines('Kept with the annotations (written back on export):', summary.kept));
    if (summary.unmatchedCount > 0) {
      io.stderr(`${summary.unmatchedCount} images of the dataset are not in the project (their annotations were not imported):\n`);
      for (const path of summary.unmatchedImages) io.stderr(`  ${path}\n`);
      if (summary.unmatchedCount > summary.unmatchedImages.length)
        io.stderr(`  … and ${summary.unmatchedCount - summary.unmatchedImages.length} more\n`);
    }
    return 0;
  } finally {
    project.close();
  }
}

export interface ExportFormatFlags extends CocoExportFlags {
  out: string;
  overwrite?: boolean;
  task?: string;
  'val-ratio'?: string;
  seed?: string;
  'copy-images'?: boolean;
  /** COCO results: proposals or annotations. */
  results?: string;
}

export async function exportFormatCommand(dir: string, format: DatasetFormat, flags: ExportFormatFlags, io: CliIo): Promise<number> {
  if (flags.task !== undefined && flags.task !== 'detect' && flags.task !== 'segment')
    throw new UsageError('--task must be "detect" or "segment".');
  const valRatio = flags['val-ratio'] === undefined ? undefined : Number(flags['val-ratio']);
  if (valRatio !== undefined && !(valRatio >= 0 && valRatio <= 1)) throw new UsageError('--val-ratio must be a number from 0 to 1.');
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new UsageError('--seed must be a whole number ≥ 0.');
  if (format !== 'yolo' && (flags.task || valRatio !== undefined || seed !== undefined || flags['copy-images'])) {
    throw new UsageError('--task, --val-ratio, --seed and --copy-images go with --format yolo.');
  }
  if (format !== 'coco' && hasCocoExportFlags(flags))
    throw new UsageError('--captions, --masks, --boxes, --decimals and --image-size go with --format coco.');
  if (flags.results !== undefined && (format !== 'coco-results' || !['proposals', 'annotations'].includes(flags.results)))
    throw new UsageError('--results proposals|annotations goes with --format coco-results.');
  const coco = format === 'coco' ? cocoExportOptions(flags) : {};
  const project = Project.open(dir);
  try {
    const result = await exportDataset(
      project,
      format,
      {
        // A relative --out is relative to where the command runs, as users expect of a CLI.
        outPath: resolve(flags.out),
        overwrite: flags.overwrite ?? false,
        yoloTask: flags.task,
        valRatio,
        seed,
        copyImages: flags['copy-images'] ?? false,
        ...coco,
        ...(flags.results === undefined ? {} : { results: flags.results as 'proposals' | 'annotations' }),
      },
      progressPrinter(io, 'export'),
    );
    if (result.coco) {
      printCocoExport(result.coco, io);
      return 0;
    }
    if (result.results) {
      io.stdout(`Wrote ${result.path}: ${result.results.results} results on ${result.results.images} images.\n`);
      io.stderr(countLines('Left out:', result.dropped));
      return 0;
    }
    io.stdout(`Wrote ${result.path} (${format}): ${result.images} images, ${result.annotations} annotations, ${result.files} files.\n`);
    io.stderr(countLines(`What ${format} could not hold:`, result.dropped));
    if (result.skippedImages.length > 0) {
      io.stderr(`Skipped ${result.skippedImages.length} unreadable images (and their annotations):\n`);
      for (const { file, reason } of result.skippedImages) io.stderr(`  ${file}: ${reason}\n`);
    }
    return 0;
  } finally {
    project.close();
  }
}
