// Export of the project in any dataset format into a folder. Every file the
// converter writes is checked by the COCO export's target rules first (never
// the project's database or images, an existing file only with `overwrite`)
// and written under a temp name; only when the whole export succeeded are the
// files renamed into place, so a refusal or a failure leaves nothing behind.
import { copyFileSync, linkSync, lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { AppError, type DatasetExportSummary, type DatasetFormat, type Geometry } from '../../common/contract/index.js';
import { ensureDir } from '../../files/ensureDir.js';
import { isDiskFull } from '../../files/fsErrors.js';
import { checkExportTarget, EXPORT_PATH_FIELD, exportTimestamp } from '../coco/exportTarget.js';
import { storeNewSizes, withSizes } from '../coco/projectImages.js';
import { containedFileOf } from '../store/containedPath.js';
import type { Project } from '../store/project.js';
import { IMAGE_EXTENSION } from '../store/scan.js';
import { writeTransaction } from '../store/writeTransaction.js';
import { attributesOf, attributeWhat } from './attributes.js';
import { Counter, type ExportDataset, type ExportImage, type ExportOptions, isProjectFormat, type OutputSink } from './converter.js';
import type { ProgressCallback } from './importDataset.js';
import { converterFor } from './registry.js';

export interface DatasetExportOptions extends ExportOptions {
  /**
   * The output folder; relative to the project folder. Default: <project folder>-<format>-<timestamp> beside the project.
   * COCO and COCO results write one file: this is its path (default <project>/exports/coco-<timestamp>.json, results-…).
   */
  outPath?: string;
  overwrite?: boolean;
}

export function defaultExportFolder(project: Project, format: DatasetFormat): string {
  return join(dirname(project.dir), `${basename(project.dir)}-${format}-${exportTimestamp()}`);
}

export async function exportDataset(
  project: Project,
  format: DatasetFormat,
  options: DatasetExportOptions = {},
  onProgress?: ProgressCallback,
): Promise<DatasetExportSummary> {
  const converter = converterFor(format);
  if (isProjectFormat(converter)) return converter.exportFrom(project, options, onProgress);
  const outDir = options.outPath === undefined ? defaultExportFolder(project, format) : resolve(project.dir, options.outPath);
  if (resolve(outDir) === resolve(project.dir)) {
    throw new AppError('bad_request', `Cannot export to ${outDir}: it is the project folder; choose another folder.`, EXPORT_PATH_FIELD);
  }
  const { images, skippedImages } = await presentImages(project);
  const labels = project.labels();
  const labelIndex = new Map(labels.map((label, index) => [label.id, index]));
  const dropped = new Counter();
  let annotations = 0;
  // With the fields kept from an import (attributes.ts): the converter writes those it can hold, the rest are counted.
  // Without any kept row the join is skipped (a third more read time on 200,000 annotations).
  const anyKept = project.db.prepare('SELECT 1 FROM coco_annotations LIMIT 1').get() !== undefined;
  const annotationsOf = project.db.prepare(
    anyKept
      ? `SELECT a.label_id, a.geometry, a.score, c.iscrowd, c.extra FROM annotations a LEFT JOIN coco_annotations c ON c.annotation_id = a.id
         WHERE a.image_id = ? ORDER BY a.created_at, a.id`
      : 'SELECT label_id, geometry, score, NULL AS iscrowd, NULL AS extra FROM annotations WHERE image_id = ? ORDER BY created_at, id',
  );
  const writesAttributes = converter.writesAttributes === true;
  const dataset: ExportDataset = {
    name: project.summary().name,
    labels: labels.map((label) => label.name),
    imageCount: images.length,
    kinds: new Set(
      (project.db.prepare('SELECT DISTINCT kind FROM annotations WHERE label_id IS NOT NULL').all() as { kind: Geometry['kind'] }[]).map(
        (r) => r.kind,
      ),
    ),
    *images(): Iterable<ExportImage> {
      const contained = containedFileOf(project.dir);
      for (const image of images) {
        const rows = annotationsOf.all(image.id) as {
          label_id: string | null;
          geometry: string;
          score: number | null;
          iscrowd: number | null;
          extra: string | null;
        }[];
        const list = [];
        for (const row of rows) {
          const index = row.label_id === null ? undefined : labelIndex.get(row.label_id);
          if (index === undefined) {
            dropped.add('unlabeled annotations (every format needs a label)');
            continue;
          }
          const extra = row.extra === null ? null : (JSON.parse(row.extra) as Record<string, unknown>);
          const attributes = attributesOf(extra);
          if (row.iscrowd === 1) dropped.add(`COCO crowd regions (iscrowd: written as single objects)`);
          if (extra !== null) {
            for (const key in extra) if (key !== 'attributes') dropped.add(`COCO "${key}" fields (${format} has no place for them)`);
            if (attributes !== undefined && !writesAttributes) for (const name in attributes) dropped.add(attributeWhat(name));
          }
          list.push({
            label: labels[index]!.name,
            labelIndex: index,
            geometry: JSON.parse(row.geometry) as Geometry,
            score: row.score,
            ...(attributes !== undefined && writesAttributes ? { attributes } : {}),
          });
        }
        annotations += list.length;
        yield {
          id: image.id,
          relPath: image.relPath,
          file: contained(image.relPath),
          width: image.width,
          height: image.height,
          annotations: list,
        };
      }
    },
  };

  const sink = new StagedFolder(project, outDir, options.overwrite ?? false);
  let done = 0;
  try {
    await converter.write(dataset, sink, options, dropped, () => {
      if (++done % 200 === 0) onProgress?.(done, images.length);
    });
    sink.commit();
  } catch (error) {
    sink.abort();
    if (error instanceof AppError) throw error;
    throw new AppError(isDiskFull(error) ? 'disk_full' : 'internal', `Export to ${outDir} failed: ${(error as Error).message}`);
  }
  onProgress?.(images.length, images.length);
  return { format, path: outDir, images: images.length, annotations, files: sink.count, dropped: dropped.list(), skippedImages };
}

/** Files written under temp names, renamed into place by commit(); abort() removes them. */
class StagedFolder implements OutputSink {
  private readonly staged = new Map<string, string>();
  private readonly tag = `.tmp-${process.pid}-${Date.now()}`;
  private readonly checkedFolders = new Set<string>();

  constructor(
    private readonly project: Project,
    readonly dir: string,
    private readonly overwrite: boolean,
  ) {}

  get count(): number {
    return this.staged.size;
  }

  file(relPath: string, data: string | Buffer): void {
    writeFileSync(this.stage(relPath), data);
  }

  copy(relPath: string, source: string): void {
    const temp = this.stage(relPath);
    try {
      linkSync(source, temp);
    } catch {
      copyFileSync(source, temp);
    }
  }

  private stage(relPath: string): string {
    const path = join(this.dir, relPath);
    if (this.staged.has(path)) throw new AppError('internal', `The export wrote ${relPath} twice.`);
    // The target rules per folder once; again for any file that exists or has an image's extension (the
    // rules that depend on the file itself). A new non-image file in a checked folder passes as its first one did.
    const folder = dirname(path);
    if (!this.checkedFolders.has(folder) || IMAGE_EXTENSION.test(path) || existsAsLink(path)) {
      checkExportTarget(this.project, path, this.overwrite);
      if (!this.checkedFolders.has(folder)) ensureDir(folder);
      this.checkedFolders.add(folder);
    }
    const temp = `${path}${this.tag}`;
    this.staged.set(path, temp);
    return temp;
  }

  commit(): void {
    for (const [path, temp] of this.staged) renameSync(temp, path);
  }

  abort(): void {
    for (const temp of this.staged.values()) rmSync(temp, { force: true });
  }
}

/** True when something (a file, folder or link) is at `path`. */
function existsAsLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Images whose files are present, in natural order, with sizes; unreadable ones are skipped with the reason. */
async function presentImages(project: Project) {
  const rows = project.db.prepare('SELECT id, rel_path, width, height FROM images WHERE missing = 0 ORDER BY sort_key, rel_path').all() as {
    id: number;
    rel_path: string;
    width: number | null;
    height: number | null;
  }[];
  const skippedImages: { file: string; reason: string }[] = [];
  const images = await withSizes(project, rows, undefined, (row, reason) => skippedImages.push({ file: row.rel_path, reason }));
  if (images.some((image) => image.sizeIsNew)) writeTransaction(project.db, () => storeNewSizes(project, images));
  return { images, skippedImages };
}
