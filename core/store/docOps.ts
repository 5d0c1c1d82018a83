// Applies DocOps inside the caller's transaction and builds the inverse batch.
// Any AppError thrown here aborts the whole batch (the caller's transaction
// rolls back), so a bad reference anywhere means nothing is written.
//
// Revisions: a batch takes the next project-wide revision and every
// annotation it writes gets it. The first op of a batch on an annotation must
// be based on its stored revision (0: it must not exist), or the batch is
// refused as a conflict: another client changed or deleted it since. Later
// ops of the same batch on it are the same client's and are not checked
// again. Inverse ops are based on what the batch left (its revision, or 0
// where it deleted), so an undo whose target changed since is refused too.
import type Database from 'better-sqlite3';

import { type Annotation, AppError, type DocOp, type ImageStatus } from '../../common/contract/index.js';
import { type GeometryMeasure, measureGeometry } from '../../common/geometry/measure.js';
import { RleFormatError, summariseCompressed } from '../../common/geometry/rle.js';
import { type BatchChange, ChangeLog } from './changeLog.js';
import { proposalOf, ProposalTable } from './proposals.js';
import { revisionCounter } from './revisions.js';
import {
  ANNOTATION_COLUMNS,
  annotationFromRow,
  type AnnotationRow,
  type AnnotationValues,
  annotationValues,
  CAPTION_COLUMNS,
  captionFromRow,
  captionParams,
  type CaptionRow,
  INSERT_ANNOTATION,
  INSERT_CAPTION,
  labelFromRow,
  type LabelRow,
} from './rows.js';

export interface AppliedBatch {
  /** The ops that undo the batch, in order. */
  inverse: DocOp[];
  change: BatchChange;
}

export class DocumentWriter {
  private readonly statements;
  private readonly nextRevision: () => number;
  private readonly proposals: ProposalTable;

  constructor(db: Database.Database) {
    this.nextRevision = revisionCounter(db);
    this.proposals = new ProposalTable(db);
    this.statements = {
      image: db.prepare<[number], { status: string; width: number | null; height: number | null }>(
        'SELECT status, width, height FROM images WHERE id = ?',
      ),
      setStatus: db.prepare<[string, number]>('UPDATE images SET status = ? WHERE id = ?'),
      imageChange: db.prepare<[number], { status: ImageStatus; annotationCount: number; proposalCount: number }>(
        `SELECT status, (SELECT COUNT(*) FROM annotations a WHERE a.image_id = i.id) AS annotationCount,
           (SELECT COUNT(*) FROM proposals p WHERE p.image_id = i.id) AS proposalCount FROM images i WHERE id = ?`,
      ),
      annotation: db.prepare<[string], AnnotationRow>(`SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE id = ?`),
      annotationsOfLabel: db.prepare<[string], AnnotationRow>(
        `SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE label_id = ? ORDER BY created_at, id`,
      ),
      putAnnotation: db.prepare<AnnotationValues>(INSERT_ANNOTATION),
      deleteAnnotation: db.prepare<[string]>('DELETE FROM annotations WHERE id = ?'),
      label: db.prepare<[string], LabelRow>('SELECT id, name, colour, hotkey, stuff FROM labels WHERE id = ?'),
      labelByName: db.prepare<[string], { id: string }>('SELECT id FROM labels WHERE name = ?'),
      insertLabel: db.prepare(
        `INSERT INTO labels (id, name, colour, hotkey, stuff, sort) VALUES (@id, @name, @colour, @hotkey, @stuff,
           COALESCE((SELECT sort FROM label_order WHERE id = @id), (SELECT COALESCE(MAX(sort), 0) + 1 FROM label_order)))`,
      ),
      rememberLabelOrder: db.prepare<[string]>('INSERT OR IGNORE INTO label_order (id, sort) SELECT id, sort FROM labels WHERE id = ?'),
      updateLabel: db.prepare('UPDATE labels SET name = @name, colour = @colour, hotkey = @hotkey, stuff = @stuff WHERE id = @id'),
      unlabel: db.prepare<[number, string]>('UPDATE annotations SET label_id = NULL, revision = ? WHERE label_id = ?'),
      deleteLabel: db.prepare<[string]>('DELETE FROM labels WHERE id = ?'),
      caption: db.prepare<[string], CaptionRow>(`SELECT ${CAPTION_COLUMNS} FROM captions WHERE id = ?`),
      putCaption: db.prepare(INSERT_CAPTION),
      deleteCaption: db.prepare<[string]>('DELETE FROM captions WHERE id = ?'),
    };
  }

  /** Applies ops in order under the next revision; answers the inverse ops in reverse order and what changed. Call inside a transaction. */
  applyAll(ops: readonly DocOp[]): AppliedBatch {
    const log = new ChangeLog(this.nextRevision());
    const inverses: DocOp[][] = ops.map((op, index) => this.applyOne(op, index, log));
    return { inverse: inverses.reverse().flat(), change: log.finish((imageId) => this.statements.imageChange.get(imageId)) };
  }

  private applyOne(op: DocOp, index: number, log: ChangeLog): DocOp[] {
    const s = this.statements;
    const { revision } = log;
    switch (op.type) {
      case 'annotation.put': {
        const { annotation } = op;
        const old = s.annotation.get(annotation.id);
        // Staleness first: a write based on an old copy is refused as such, even where that copy's label has gone since.
        if (!log.has(annotation.id)) checkBase(annotation.id, annotation.revision, old?.revision ?? 0, `ops[${index}].annotation.revision`);
        const measure = this.checkAnnotation(annotation, index);
        s.putAnnotation.run(...annotationValues(annotation, revision, measure));
        log.annotationWritten({ ...annotation, revision }, old ? { imageId: old.image_id, revision: old.revision } : null);
        return [
          old
            ? { type: 'annotation.put', annotation: { ...annotationFromRow(old), revision } }
            : { type: 'annotation.delete', id: annotation.id, revision },
        ];
      }
      case 'annotation.delete': {
        const old = s.annotation.get(op.id);
        const path = `ops[${index}].revision`;
        if (!old) {
          if (op.revision > 0 && !log.has(op.id)) checkBase(op.id, op.revision, 0, path);
          throw new AppError('not_found', `ops[${index}]: annotation ${op.id} does not exist.`, `ops[${index}].id`);
        }
        if (!log.has(op.id)) checkBase(op.id, op.revision, old.revision, path);
        s.deleteAnnotation.run(op.id);
        log.annotationDeleted(op.id, old.image_id, old.revision);
        // Undo re-creates it: based on "does not exist".
        return [{ type: 'annotation.put', annotation: { ...annotationFromRow(old), revision: 0 } }];
      }
      case 'label.put': {
        const { label } = op;
        const sameName = s.labelByName.get(label.name);
        if (sameName && sameName.id !== label.id) {
          throw new AppError('conflict', `ops[${index}]: a label named "${label.name}" already exists.`, `ops[${index}].label.name`);
        }
        const old = s.label.get(label.id);
        const row = { id: label.id, name: label.name, colour: label.colour, hotkey: label.hotkey, stuff: label.stuff ? 1 : 0 };
        if (old) {
          s.updateLabel.run(row);
        } else {
          s.insertLabel.run(row);
          s.rememberLabelOrder.run(label.id);
        }
        log.labelPut(label);
        return [old ? { type: 'label.put', label: labelFromRow(old) } : { type: 'label.delete', id: label.id }];
      }
      case 'label.delete': {
        const old = s.label.get(op.id);
        if (!old) throw new AppError('not_found', `ops[${index}]: label ${op.id} does not exist.`, `ops[${index}].id`);
        const affected = s.annotationsOfLabel.all(op.id);
        s.unlabel.run(revision, op.id);
        s.deleteLabel.run(op.id);
        log.annotationsUnlabeled(affected.map((row) => ({ id: row.id, imageId: row.image_id, revision: row.revision })));
        log.labelDeleted(op.id);
        // Undo: recreate the label first, then give the annotations their label back (if nobody changed them since).
        return [
          { type: 'label.put', label: labelFromRow(old) },
          ...affected.map((row): DocOp => ({ type: 'annotation.put', annotation: { ...annotationFromRow(row), revision } })),
        ];
      }
      case 'image.status': {
        const image = s.image.get(op.imageId);
        if (!image) throw new AppError('not_found', `ops[${index}]: image ${op.imageId} does not exist.`, `ops[${index}].imageId`);
        s.setStatus.run(op.status, op.imageId);
        log.statusSet(op.imageId);
        return [{ type: 'image.status', imageId: op.imageId, status: image.status as typeof op.status }];
      }
      case 'caption.put': {
        this.checkImage(op.caption.imageId, `ops[${index}].caption.imageId`);
        const old = s.caption.get(op.caption.id);
        s.putCaption.run(captionParams(op.caption));
        log.captionPut(op.caption);
        return [old ? { type: 'caption.put', caption: captionFromRow(old) } : { type: 'caption.delete', id: op.caption.id }];
      }
      case 'caption.delete': {
        const old = s.caption.get(op.id);
        if (!old) throw new AppError('not_found', `ops[${index}]: caption ${op.id} does not exist.`, `ops[${index}].id`);
        s.deleteCaption.run(op.id);
        log.captionDeleted(op.id);
        return [{ type: 'caption.put', caption: captionFromRow(old) }];
      }
      case 'proposal.put': {
        const { proposal } = op;
        this.checkImage(proposal.imageId, `ops[${index}].proposal.imageId`);
        if (proposal.labelId !== null && !s.label.get(proposal.labelId))
          throw new AppError(
            'bad_request',
            `ops[${index}].proposal.labelId: label ${proposal.labelId} does not exist.`,
            `ops[${index}].proposal.labelId`,
          );
        const old = this.proposals.get(proposal.id);
        this.proposals.put(proposal);
        log.proposalsChanged(proposal.imageId);
        return [old ? { type: 'proposal.put', proposal: proposalOf(old) } : { type: 'proposal.delete', id: proposal.id }];
      }
      case 'proposal.delete': {
        // Two reviewers accepting the same proposal: the second finds it gone and nothing of its batch is written.
        const old = this.proposals.get(op.id);
        if (!old)
          throw new AppError(
            'conflict',
            `ops[${index}]: proposal ${op.id} is no longer there (reviewed elsewhere, or replaced by a new run).`,
            `ops[${index}].id`,
          );
        this.proposals.delete(op.id);
        log.proposalsChanged(old.imageId);
        return [{ type: 'proposal.put', proposal: proposalOf(old) }];
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
      throw new AppError(
        'bad_request',
        `${path}.geometry.rle.size: mask is ${h}×${w} but the image is ${image.height}×${image.width}.`,
        `${path}.geometry.rle.size`,
      );
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

/** Refuses a write not based on the stored revision (0: does not exist), with the reason a user can act on. */
function checkBase(id: string, base: number, stored: number, path: string): void {
  if (base === stored) return;
  const what = stored === 0 ? 'was deleted in another window' : base === 0 ? 'already exists' : 'was changed in another window';
  const detail = `${path.replace(/\..*$/, '')}: based on revision ${base}, stored ${stored === 0 ? 'none' : stored}`;
  throw new AppError(
    'conflict',
    `Annotation ${id} ${what}, so this change was not saved; the annotations have been reloaded (${detail}).`,
    path,
  );
}
