// Applies DocOps inside the caller's transaction and builds the inverse batch.
// Any AppError thrown here aborts the whole batch (the caller's transaction
// rolls back), so a bad reference anywhere means nothing is written.
import type Database from 'better-sqlite3';
import { AppError, type Annotation, type DocOp } from '../../common/contract/index.js';
import { measureGeometry, type GeometryMeasure } from '../../common/geometry/measure.js';
import { RleFormatError, summariseCompressed } from '../../common/geometry/rle.js';
import {
  ANNOTATION_COLUMNS,
  CAPTION_COLUMNS,
  INSERT_ANNOTATION,
  INSERT_CAPTION,
  annotationFromRow,
  annotationValues,
  captionFromRow,
  captionParams,
  labelFromRow,
  type AnnotationRow,
  type AnnotationValues,
  type CaptionRow,
  type LabelRow,
} from './rows.js';

export class DocumentWriter {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      image: db.prepare<[number], { status: string; width: number | null; height: number | null }>(
        'SELECT status, width, height FROM images WHERE id = ?',
      ),
      setStatus: db.prepare<[string, number]>('UPDATE images SET status = ? WHERE id = ?'),
      annotation: db.prepare<[string], AnnotationRow>(`SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE id = ?`),
      annotationsOfLabel: db.prepare<[string], AnnotationRow>(
        `SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE label_id = ? ORDER BY created_at, id`,
      ),
      putAnnotation: db.prepare<AnnotationValues>(INSERT_ANNOTATION),
      deleteAnnotation: db.prepare<[string]>('DELETE FROM annotations WHERE id = ?'),
      label: db.prepare<[string], LabelRow>('SELECT id, name, colour, hotkey FROM labels WHERE id = ?'),
      labelByName: db.prepare<[string], { id: string }>('SELECT id FROM labels WHERE name = ?'),
      insertLabel: db.prepare(
        `INSERT INTO labels (id, name, colour, hotkey, sort) VALUES (@id, @name, @colour, @hotkey,
           COALESCE((SELECT sort FROM label_order WHERE id = @id), (SELECT COALESCE(MAX(sort), 0) + 1 FROM label_order)))`,
      ),
      rememberLabelOrder: db.prepare<[string]>('INSERT OR IGNORE INTO label_order (id, sort) SELECT id, sort FROM labels WHERE id = ?'),
      updateLabel: db.prepare('UPDATE labels SET name = @name, colour = @colour, hotkey = @hotkey WHERE id = @id'),
      unlabel: db.prepare<[string]>('UPDATE annotations SET label_id = NULL WHERE label_id = ?'),
      deleteLabel: db.prepare<[string]>('DELETE FROM labels WHERE id = ?'),
      caption: db.prepare<[string], CaptionRow>(`SELECT ${CAPTION_COLUMNS} FROM captions WHERE id = ?`),
      putCaption: db.prepare(INSERT_CAPTION),
      deleteCaption: db.prepare<[string]>('DELETE FROM captions WHERE id = ?'),
    };
  }

  /** Applies ops in order; answers the inverse ops in reverse order. Call inside a transaction. */
  applyAll(ops: readonly DocOp[]): DocOp[] {
    const inverses: DocOp[][] = ops.map((op, index) => this.applyOne(op, index));
    return inverses.reverse().flat();
  }

  private applyOne(op: DocOp, index: number): DocOp[] {
    const s = this.statements;
    switch (op.type) {
      case 'annotation.put': {
        const measure = this.checkAnnotation(op.annotation, index);
        const old = s.annotation.get(op.annotation.id);
        s.putAnnotation.run(...annotationValues(op.annotation, measure));
        return [old ? { type: 'annotation.put', annotation: annotationFromRow(old) } : { type: 'annotation.delete', id: op.annotation.id }];
      }
      case 'annotation.delete': {
        const old = s.annotation.get(op.id);
        if (!old) throw new AppError('not_found', `ops[${index}]: annotation ${op.id} does not exist.`, `ops[${index}].id`);
        s.deleteAnnotation.run(op.id);
        return [{ type: 'annotation.put', annotation: annotationFromRow(old) }];
      }
      case 'label.put': {
        const { label } = op;
        const sameName = s.labelByName.get(label.name);
        if (sameName && sameName.id !== label.id) {
          throw new AppError('conflict', `ops[${index}]: a label named "${label.name}" already exists.`, `ops[${index}].label.name`);
        }
        const old = s.label.get(label.id);
        if (old) {
          s.updateLabel.run(label);
        } else {
          s.insertLabel.run(label);
          s.rememberLabelOrder.run(label.id);
        }
        return [old ? { type: 'label.put', label: labelFromRow(old) } : { type: 'label.delete', id: label.id }];
      }
      case 'label.delete': {
        const old = s.label.get(op.id);
        if (!old) throw new AppError('not_found', `ops[${index}]: label ${op.id} does not exist.`, `ops[${index}].id`);
        const affected = s.annotationsOfLabel.all(op.id);
        s.unlabel.run(op.id);
        s.deleteLabel.run(op.id);
        // Undo: recreate the label first, then give the annotations their label back.
        return [
          { type: 'label.put', label: labelFromRow(old) },
          ...affected.map((row): DocOp => ({ type: 'annotation.put', annotation: annotationFromRow(row) })),
        ];
      }
      case 'image.status': {
        const image = s.image.get(op.imageId);
        if (!image) throw new AppError('not_found', `ops[${index}]: image ${op.imageId} does not exist.`, `ops[${index}].imageId`);
        s.setStatus.run(op.status, op.imageId);
        return [{ type: 'image.status', imageId: op.imageId, status: image.status as typeof op.status }];
      }
      case 'caption.put': {
        this.checkImage(op.caption.imageId, `ops[${index}].caption.imageId`);
        const old = s.caption.get(op.caption.id);
        s.putCaption.run(captionParams(op.caption));
        return [old ? { type: 'caption.put', caption: captionFromRow(old) } : { type: 'caption.delete', id: op.caption.id }];
      }
      case 'caption.delete': {
        const old = s.caption.get(op.id);
        if (!old) throw new AppError('not_found', `ops[${index}]: caption ${op.id} does not exist.`, `ops[${index}].id`);
        s.deleteCaption.run(op.id);
        return [{ type: 'caption.put', caption: captionFromRow(old) }];
      }
    }
  }

  private checkImage(imageId: number, path: string) {
    const image = this.statements.image.get(imageId);
    if (!image) throw new AppError('not_found', `${path}: image ${imageId} does not exist.`, path);
    return image;
  }

  /** References exist and a mask decodes to the image's size; answers the geometry's measure. */
  private checkAnnotation(annotation: Annotation, index: number): GeometryMeasure {
    const path = `ops[${index}].annotation`;
    const image = this.checkImage(annotation.imageId, `${path}.imageId`);
    if (annotation.labelId !== null && !this.statements.label.get(annotation.labelId)) {
      throw new AppError('bad_request', `${path}.labelId: label ${annotation.labelId} does not exist.`, `${path}.labelId`);
    }
    const { geometry } = annotation;
    if (geometry.kind !== 'mask') return measureGeometry(geometry);
    const [h, w] = geometry.rle.size;
    if (image.width !== null && image.height !== null && (h !== image.height || w !== image.width)) {
      throw new AppError('bad_request', `${path}.geometry.rle.size: mask is ${h}×${w} but the image is ${image.height}×${image.width}.`, `${path}.geometry.rle.size`);
    }
    try {
      const { total, area, bbox } = summariseCompressed(geometry.rle.counts, h);
      if (total !== h * w) throw new RleFormatError(`run lengths add up to ${total} but the mask has ${h}×${w} = ${h * w} pixels`);
      return { area, bbox };
    } catch (error) {
      if (!(error instanceof RleFormatError)) throw error;
      throw new AppError('bad_request', `${path}.geometry.rle.counts: ${error.message}.`, `${path}.geometry.rle.counts`);
    }
  }
}
