// The one interface every dataset format implements: a format is one file in
// this folder plus one line in registry.ts. A converter knows its files only;
// matching images to the project, label mapping, checks against the image
// sizes and the single write transaction live in importDataset.ts, and where
// an export may write lives in exportDataset.ts (the COCO target rules).
import type {
  CocoImageSize,
  DatasetExportSummary,
  DatasetFormat,
  DatasetImportSummary,
  FormatCount,
  Geometry,
} from '../../common/contract/index.js';
import type { Project } from '../store/project.js';
import type { KeptAttributes } from './attributes.js';
import type { DatasetExportOptions } from './exportDataset.js';
import type { DatasetImportOptions, ProgressCallback } from './importDataset.js';

export interface ImportedAnnotation {
  /** null: the dataset gives the shape no label (CVAT allows that). */
  label: string | null;
  /** Pixels, or 0..1 of the image's size when the image says `normalised` (YOLO). */
  geometry: Geometry;
  score?: number | null;
  /** Flags and attribute values the file gives the shape (VOC, CVAT), kept with the annotation (attributes.ts). */
  attributes?: KeptAttributes;
  /** Where it came from (file and line or element), for messages. */
  where: string;
}

export interface ImportedImage {
  /** Absolute path of the image file the dataset names (it may not exist). */
  file: string;
  /** The same path relative to the dataset's root, '/' separated: tried against the project when `file` lies outside it. */
  relPath: string;
  /** The size the dataset declares (checked against the project image); undefined when it declares none. */
  width?: number;
  height?: number;
  normalised?: boolean;
  /** `file` and `relPath` lack the extension (a YOLO dataset without its images): any project image with that stem matches. */
  anyExtension?: boolean;
  annotations: ImportedAnnotation[];
  /** The file (and element) that describes this image, for messages. */
  where: string;
}

/** What a format read: validated, in memory, nothing written yet. */
export interface ImportedDataset {
  /** Label names the dataset declares, in its order (data.yaml names, CVAT meta); labels used by shapes are added after. */
  labels: string[];
  images: ImportedImage[];
  /** Things the project cannot hold, counted ("point shapes", "occluded flags"). */
  notImported: Counter;
}

export interface ExportAnnotation {
  label: string;
  /** Index of the label in ExportDataset.labels. */
  labelIndex: number;
  geometry: Geometry;
  score: number | null;
  /** Attributes kept from an import (attributes.ts); undefined when none. */
  attributes?: KeptAttributes;
}

export interface ExportImage {
  /** Project image id. */
  id: number;
  relPath: string;
  /** Absolute path of the image file. */
  file: string;
  width: number;
  height: number;
  annotations: ExportAnnotation[];
}

export interface ExportDataset {
  name: string;
  labels: string[];
  imageCount: number;
  /** The geometry kinds the exported annotations use (a YOLO export picks its task from them). */
  kinds: ReadonlySet<Geometry['kind']>;
  /** Project images in natural order with their labeled annotations, read lazily. */
  images(): Iterable<ExportImage>;
}

/** Where a converter writes: paths relative to the output folder, each checked before anything lands. */
export interface OutputSink {
  /** The output folder (absolute). */
  readonly dir: string;
  file(relPath: string, data: string | Buffer): void;
  /** A copy of an image (a hard link where the file system allows it). */
  copy(relPath: string, source: string): void;
}

export interface ExportOptions {
  /** YOLO: 'detect' writes boxes only, 'segment' polygons; default: segment when any annotation is not a box. */
  yoloTask?: 'detect' | 'segment';
  /** YOLO: share of images in val (0..1), default 0.2. */
  valRatio?: number;
  /** YOLO: seed of the train/val split, default 0. */
  seed?: number;
  /** YOLO: copy (or hard-link) the images into images/train and images/val. */
  copyImages?: boolean;
  /** COCO: masks as RLE (default) or their outer rings. */
  masks?: 'rle' | 'polygons';
  /** COCO: boxes as 4-point polygons (default) or a bbox with an empty segmentation. */
  boxes?: 'polygon' | 'bbox';
  /** COCO: round coordinates, areas and boxes to this many decimals. */
  decimals?: number;
  /** COCO: the displayed size (default) or the stored pixel grid. */
  imageSize?: CocoImageSize;
  /** COCO: write the captions and Localized Narratives files beside the export. */
  includeCaptions?: boolean;
  /** COCO results: the review queue's proposals (default) or the accepted annotations that have a score. */
  results?: 'proposals' | 'annotations';
}

export interface FormatConverter {
  name: DatasetFormat;
  title: string;
  /** What to give `read`: a folder or a file. */
  input: string;
  /** True when `path` looks like this format (for a hint when the user picked another). */
  detect?(path: string): boolean;
  read(path: string): Promise<ImportedDataset>;
  write(dataset: ExportDataset, sink: OutputSink, options: ExportOptions, dropped: Counter, onImage: () => void): Promise<void>;
  /** True when `write` writes ExportAnnotation.attributes itself (counting what it cannot hold); for the others the export counts them all as dropped. */
  writesAttributes?: boolean;
}

/**
 * A format whose import and export need the project itself rather than the
 * in-memory dataset above: COCO keeps its file's ids, iscrowd, areas and
 * unknown fields beside the project's rows, decides the file's kind first,
 * matches duplicates against what is stored (skip / replace / add) and writes
 * one JSON file with its own options; COCO results go to the review queue.
 * ImportedDataset and ExportDataset cannot carry that without losing it, so
 * such a format's file here hands the whole import or export to its own
 * module (core/coco, core/autolabel) and reports in the common summaries.
 */
export interface ProjectFormat {
  name: DatasetFormat;
  title: string;
  input: string;
  /** What an export writes: one file (the output path names it) rather than a folder. */
  output: 'file';
  detect?(path: string): boolean;
  importInto(project: Project, path: string, options: DatasetImportOptions, onProgress?: ProgressCallback): Promise<DatasetImportSummary>;
  exportFrom(project: Project, options: DatasetExportOptions, onProgress?: ProgressCallback): Promise<DatasetExportSummary>;
}

export const isProjectFormat = (format: FormatConverter | ProjectFormat): format is ProjectFormat => 'importInto' in format;

/** Named counts, in first-seen order. */
export class Counter {
  private readonly counts = new Map<string, number>();
  add(what: string, count = 1): void {
    if (count > 0) this.counts.set(what, (this.counts.get(what) ?? 0) + count);
  }
  list(): FormatCount[] {
    return [...this.counts].map(([what, count]) => ({ what, count }));
  }
}
