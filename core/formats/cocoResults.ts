// COCO results (detections with scores, as COCOeval's loadRes reads them)
// through the registry: core/autolabel/cocoResults.ts reads them into the
// review queue as proposals and writes the queue's proposals, or the accepted
// annotations that carry a score. A ProjectFormat (converter.ts says why):
// results are proposals, not annotations, and match images and categories by
// the project's kept COCO ids.
import { exportResults, importResults } from '../autolabel/cocoResults.js';
import { resolveExportPath } from '../coco/exportTarget.js';
import { refuseLabelMap } from './coco.js';
import type { ProjectFormat } from './converter.js';

export const cocoResultsFormat: ProjectFormat = {
  name: 'coco-results',
  title: 'COCO results',
  input: 'a COCO results .json file (a list of {image_id, category_id, score, segmentation | bbox})',
  output: 'file',

  async importInto(project, path, options, onProgress) {
    refuseLabelMap(options.labelMap, 'COCO results');
    const summary = await importResults(project, path);
    onProgress?.(1, 1);
    return {
      format: 'coco-results',
      images: summary.images,
      annotations: 0,
      labelsAdded: summary.labelsAdded,
      // Results name images one by one, not as a list of dataset images: those the project lacks are counted below.
      unmatchedImages: [],
      unmatchedCount: 0,
      notImported: summary.unmatched > 0 ? [{ what: 'results on images this project does not have', count: summary.unmatched }] : [],
      clipped: 0,
      kept: [],
      results: summary,
    };
  },

  async exportFrom(project, options, onProgress) {
    const path = resolveExportPath(project, options.outPath, 'results');
    const what = options.results ?? 'proposals';
    const summary = exportResults(project, what, path, options.overwrite ?? false);
    onProgress?.(1, 1);
    return {
      format: 'coco-results',
      path: summary.path,
      images: summary.images,
      annotations: summary.results,
      files: 1,
      dropped: summary.unlabeled > 0 ? [{ what: `unlabeled ${what} (COCO results need a category)`, count: summary.unlabeled }] : [],
      skippedImages: [],
      results: summary,
    };
  },
};
