// Database rows ↔ domain objects. Rows were validated when written, so
// reading trusts the JSON columns' shapes (the schema owns them).
import type {
  Annotation,
  Caption,
  Geometry,
  ImageRecord,
  ImageStatus,
  Label,
  NarrativeSource,
  TracePoint,
  TraceWord,
} from '../../common/contract/index.js';
import { type GeometryMeasure, measureGeometry } from '../../common/geometry/measure.js';

export interface ImageRow {
  id: number;
  rel_path: string;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  annotation_count: number;
  proposal_count: number;
}

export interface LabelRow {
  id: string;
  name: string;
  colour: string;
  hotkey: Label['hotkey'];
  stuff: number;
}

export interface AnnotationRow {
  id: string;
  image_id: number;
  label_id: string | null;
  geometry: string;
  score: number | null;
  source: string;
  created_at: number;
  updated_at: number;
  revision: number;
  job_id: string | null;
  example: number;
}

export interface CaptionRow {
  id: string;
  image_id: number;
  text: string;
  words: string;
  source: string;
  created_at: number;
  updated_at: number;
  trace: string | null;
  narrative: string | null;
}

export const imageFromRow = (row: ImageRow): ImageRecord => ({
  id: row.id,
  relPath: row.rel_path,
  width: row.width,
  height: row.height,
  status: row.status,
  annotationCount: row.annotation_count,
  proposalCount: row.proposal_count,
});

export const labelFromRow = (row: LabelRow): Label => ({
  id: row.id,
  name: row.name,
  colour: row.colour,
  hotkey: row.hotkey,
  ...(row.stuff === 1 ? { stuff: true } : {}),
});

export const annotationFromRow = (row: AnnotationRow): Annotation => ({
  id: row.id,
  imageId: row.image_id,
  labelId: row.label_id,
  geometry: JSON.parse(row.geometry) as Geometry,
  score: row.score,
  source: row.source,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  revision: row.revision,
  // Left out at their defaults, so an annotation reads back as it was written.
  ...(row.job_id === null ? {} : { jobId: row.job_id }),
  ...(row.example === 1 ? { example: true } : {}),
});

export const captionFromRow = (row: CaptionRow): Caption => ({
  id: row.id,
  imageId: row.image_id,
  text: row.text,
  words: JSON.parse(row.words) as TraceWord[],
  source: row.source,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  ...(row.trace === null ? {} : { trace: JSON.parse(row.trace) as TracePoint[][] }),
  ...(row.narrative === null ? {} : { narrative: JSON.parse(row.narrative) as NarrativeSource }),
});

/** Canonical key order, so exports can copy a mask's RLE text without parsing it. */
export const MASK_JSON_PREFIX = '{"kind":"mask","rle":';
export const POLYGON_JSON_PREFIX = '{"kind":"polygon","polygons":[';

export function geometryJson(geometry: Geometry): string {
  switch (geometry.kind) {
    case 'box':
      return JSON.stringify({ kind: 'box', box: { x: geometry.box.x, y: geometry.box.y, w: geometry.box.w, h: geometry.box.h } });
    case 'polygon':
      return `${POLYGON_JSON_PREFIX}${geometry.polygons.map((p) => `{"outer":${JSON.stringify(p.outer)},"holes":${JSON.stringify(p.holes)}}`).join(',')}]}`;
    case 'mask': {
      const rle = JSON.stringify({ size: geometry.rle.size, counts: geometry.rle.counts });
      const outline = geometry.outline
        ? `,"outline":${JSON.stringify(geometry.outline.map((p) => ({ outer: p.outer, holes: p.holes })))}`
        : '';
      return `${MASK_JSON_PREFIX}${rle}${outline}}`;
    }
  }
}

/** Values for INSERT_ANNOTATION, in column order (positional binding is much faster than named for bulk inserts). */
export type AnnotationValues = [
  id: string,
  imageId: number,
  labelId: string | null,
  kind: Geometry['kind'],
  geometryJson: string,
  score: number | null,
  source: string,
  createdAt: number,
  updatedAt: number,
  area: number,
  bboxX: number,
  bboxY: number,
  bboxW: number,
  bboxH: number,
  revision: number,
  jobId: string | null,
  example: 0 | 1,
];

/** `revision`: the batch's revision, which the row gets (the annotation's own field is the base a put was sent with). */
export function annotationValues(
  annotation: Annotation,
  revision: number,
  measure: GeometryMeasure = measureGeometry(annotation.geometry),
): AnnotationValues {
  const [x, y, w, h] = measure.bbox;
  return [
    annotation.id,
    annotation.imageId,
    annotation.labelId,
    annotation.geometry.kind,
    geometryJson(annotation.geometry),
    annotation.score,
    annotation.source,
    annotation.createdAt,
    annotation.updatedAt,
    measure.area,
    x,
    y,
    w,
    h,
    revision,
    annotation.jobId ?? null,
    annotation.example ? 1 : 0,
  ];
}

export const captionParams = (caption: Caption) => ({
  id: caption.id,
  image_id: caption.imageId,
  text: caption.text,
  words: JSON.stringify(caption.words),
  source: caption.source,
  created_at: caption.createdAt,
  updated_at: caption.updatedAt,
  trace: caption.trace === undefined ? null : JSON.stringify(caption.trace),
  narrative: caption.narrative === undefined ? null : JSON.stringify(caption.narrative),
});

export const ANNOTATION_COLUMNS = 'id, image_id, label_id, geometry, score, source, created_at, updated_at, revision, job_id, example';
export const CAPTION_COLUMNS = 'id, image_id, text, words, source, created_at, updated_at, trace, narrative';
export const INSERT_ANNOTATION = `INSERT OR REPLACE INTO annotations
  (id, image_id, label_id, kind, geometry, score, source, created_at, updated_at, area, bbox_x, bbox_y, bbox_w, bbox_h, revision, job_id, example)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const INSERT_CAPTION = `INSERT OR REPLACE INTO captions (${CAPTION_COLUMNS})
  VALUES (@id, @image_id, @text, @words, @source, @created_at, @updated_at, @trace, @narrative)`;
