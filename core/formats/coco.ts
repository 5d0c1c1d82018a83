// COCO instances (and captions) through the registry like every format: the
// import and export of core/coco, unchanged. A ProjectFormat rather than a
// FormatConverter (converter.ts says why): kept ids, iscrowd, areas and
// unknown fields, the file-kind check, duplicates skip / replace / add and
// the export's options all stay in core/coco; this file only maps their
// reports onto the common summaries, keeping COCO's own report beside them.
import { AppError } from '../../common/contract/index.js';
import { exportCoco } from '../coco/export.js';
import { importCoco } from '../coco/import.js';
import type { ProjectFormat } from './converter.js';

/** COCO and COCO results join categories to labels by name (or kept id): a label map is for the other formats. */
export function refuseLabelMap(labelMap: Record<string, string> | undefined, title: string): void {
  if (labelMap !== undefined && Object.keys(labelMap).length > 0) {
    throw new AppError(
      'bad_request',
      `A label map goes with YOLO, Pascal VOC, labelme and CVAT; ${title} categories join labels by name. Rename the categories in the file instead.`,
      'labelMap',
    );
  }
}

export const cocoFormat: ProjectFormat = {
  name: 'coco',
  title: 'COCO',
  input: 'a COCO .json file (instances or captions)',
  output: 'file',

  async importInto(project, path, options, onProgress) {
    refuseLabelMap(options.labelMap, 'COCO');
    const summary = await importCoco(project, path, onProgress, { duplicates: options.duplicates ?? 'skip' });
    const notImported = [
      { what: 'polygon rings without area', count: summary.degenerateRings },
      { what: 'annotations left without a ring', count: summary.droppedAnnotations },
      { what: 'annotations already in the project (skipped)', count: summary.duplicates.mode === 'skip' ? summary.duplicates.found : 0 },
    ].filter((c) => c.count > 0);
    return {
      format: 'coco',
      images: summary.images,
      annotations: summary.annotations,
      labelsAdded: summary.categoriesAdded,
      // An image the project lacks refuses a COCO file (core/coco/matchImages.ts): none is ever left unmatched.
      unmatchedImages: [],
      unmatchedCount: 0,
      notImported,
      clipped: summary.clippedPoints,
      kept: Object.entries(summary.keptFields).map(([name, count]) => ({ what: `"${name}" fields`, count })),
      coco: summary,
    };
  },

  async exportFrom(project, options, onProgress) {
    const result = await exportCoco(
      project,
      {
        outPath: options.outPath,
        overwrite: options.overwrite ?? false,
        includeCaptions: options.includeCaptions ?? false,
        masks: options.masks,
        boxes: options.boxes,
        decimals: options.decimals,
        imageSize: options.imageSize,
      },
      onProgress,
    );
    const dropped = [
      { what: 'unlabeled annotations (every format needs a label)', count: result.skippedUnlabeled },
      { what: 'shapes with holes written as RLE (COCO polygons cannot hold holes)', count: result.masksKeptAsRle },
    ].filter((c) => c.count > 0);
    return {
      format: 'coco',
      path: result.path,
      images: result.images,
      annotations: result.annotations,
      files: options.includeCaptions ? 3 : 1,
      dropped,
      skippedImages: result.skippedImages,
      coco: result,
    };
  },
};
