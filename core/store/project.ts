// A project: a folder of images plus <dir>/.promptlabel/project.sqlite.
//
// Durability: WAL with synchronous=NORMAL. Every committed transaction is in
// the WAL file before better-sqlite3 returns, so killing the process loses
// nothing acknowledged; only an OS crash or power cut can drop the last few
// commits (never corrupt the file). That is the requirement, and NORMAL keeps
// bulk writes fast.
import { basename, join } from 'node:path';

import type Database from 'better-sqlite3';
import sharp from 'sharp';

import {
  type Annotation,
  AppError,
  type Caption,
  type DocOp,
  type ImageRecord,
  type ImageStatus,
  type Label,
  type ProjectSummary,
} from '../../common/contract/index.js';
import { ensureDir } from '../../files/ensureDir.js';
import { containedFile } from './containedPath.js';
import { type AppliedBatch, DocumentWriter } from './docOps.js';
import { headerSize } from './imageHeader.js';
import { openProjectDatabase } from './projectDatabase.js';
import { checkProjectFolder } from './projectFolder.js';
import { type ImageListFilter, imageListWhere } from './reviewFilter.js';
import {
  ANNOTATION_COLUMNS,
  annotationFromRow,
  type AnnotationRow,
  CAPTION_COLUMNS,
  captionFromRow,
  type CaptionRow,
  imageFromRow,
  type ImageRow,
  labelFromRow,
  type LabelRow,
} from './rows.js';
import { naturalSortKey, PROJECT_DATA_DIR, scanImages } from './scan.js';
import { migrate, SCHEMA_VERSION } from './schema.js';
import { writeTransaction } from './writeTransaction.js';

export interface ImageListRequest extends ImageListFilter {
  offset: number;
  limit: number;
}

const IMAGE_SELECT = `SELECT i.id, i.rel_path, i.width, i.height, i.status,
  (SELECT COUNT(*) FROM annotations a WHERE a.image_id = i.id) AS annotation_count,
  (SELECT COUNT(*) FROM proposals p WHERE p.image_id = i.id) AS proposal_count FROM images i`;

export class Project {
  readonly dir: string;
  /** Exposed for the COCO importer/exporter, which run their own bulk statements. */
  readonly db: Database.Database;
  private readonly writer: DocumentWriter;
  /**
   * Rows this connection wrote only to record an image's width and height (read lazily): no dataset figure
   * depends on them, so they do not make the figures stale (core/store/datasetStats.ts databaseState).
   */
  sizeOnlyChanges = 0;

  private constructor(dir: string, db: Database.Database) {
    this.dir = dir;
    this.db = db;
    this.writer = new DocumentWriter(db);
  }

  static open(dir: string): Project {
    const absolute = checkProjectFolder(dir);
    const dataDir = join(absolute, PROJECT_DATA_DIR);
    ensureDir(dataDir);
    const db = openProjectDatabase(join(dataDir, 'project.sqlite'));
    try {
      migrate(db);
      const project = new Project(absolute, db);
      project.rescan();
      return project;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  summary(): ProjectSummary {
    const { count } = this.db.prepare('SELECT COUNT(*) AS count FROM images WHERE missing = 0').get() as { count: number };
    return { dir: this.dir, name: basename(this.dir), imageCount: count, schemaVersion: SCHEMA_VERSION };
  }

  /** Adds new files, flags vanished ones (kept with their annotations), forgets stale sizes of edited ones. */
  rescan(): void {
    const files = scanImages(this.dir);
    const upsert = this.db.prepare(
      `INSERT INTO images (rel_path, sort_key, size, mtime_ms, missing) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (rel_path) DO UPDATE SET missing = 0,
         width = CASE WHEN size = excluded.size AND mtime_ms = excluded.mtime_ms THEN width END,
         height = CASE WHEN size = excluded.size AND mtime_ms = excluded.mtime_ms THEN height END,
         size = excluded.size, mtime_ms = excluded.mtime_ms`,
    );
    writeTransaction(this.db, () => {
      this.db.exec('UPDATE images SET missing = 1');
      for (const file of files) upsert.run(file.relPath, naturalSortKey(file.relPath), file.size, file.mtimeMs);
    });
  }

  /** Ids of the images whose files are present, in list order (what a job over the whole folder takes, and shards split). */
  presentImageIds(): number[] {
    return (this.db.prepare('SELECT id FROM images WHERE missing = 0 ORDER BY sort_key, rel_path').all() as { id: number }[]).map(
      (r) => r.id,
    );
  }

  listImages(request: ImageListRequest): { total: number; items: ImageRecord[] } {
    const { where, params } = imageListWhere(request);
    const clause = `WHERE ${where.join(' AND ')}`;
    const { total } = this.db.prepare(`SELECT COUNT(*) AS total FROM images i ${clause}`).get(...params) as { total: number };
    const rows = this.db
      .prepare(`${IMAGE_SELECT} ${clause} ORDER BY i.sort_key, i.rel_path LIMIT ? OFFSET ?`)
      .all(...params, request.limit, request.offset) as ImageRow[];
    return { total, items: rows.map(imageFromRow) };
  }

  /** Reads the header (no decode) the first time, so width/height are known. */
  async getImage(id: number): Promise<ImageRecord> {
    const row = this.imageRow(id);
    if (row.width !== null && row.height !== null) return imageFromRow(row);
    const { width, height } = await readImageSize(containedFile(this.dir, row.rel_path), row.rel_path);
    const written = writeTransaction(this.db, () =>
      this.db.prepare('UPDATE images SET width = ?, height = ? WHERE id = ?').run(width, height, id),
    );
    this.sizeOnlyChanges += written.changes;
    return imageFromRow({ ...row, width, height });
  }

  imageStatus(id: number): ImageStatus {
    return this.imageRow(id).status;
  }

  /** The image's file; refused when it now leads outside the project folder (swapped for a link). */
  imagePath(id: number): string {
    return containedFile(this.dir, this.imageRow(id).rel_path);
  }

  labels(): Label[] {
    return (this.db.prepare('SELECT id, name, colour, hotkey, stuff FROM labels ORDER BY sort, id').all() as LabelRow[]).map(labelFromRow);
  }

  annotations(imageId: number): Annotation[] {
    this.imageRow(imageId);
    const rows = this.db
      .prepare(`SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE image_id = ? ORDER BY created_at, id`)
      .all(imageId) as AnnotationRow[];
    return rows.map(annotationFromRow);
  }

  captions(imageId: number): Caption[] {
    this.imageRow(imageId);
    const rows = this.db
      .prepare(`SELECT ${CAPTION_COLUMNS} FROM captions WHERE image_id = ? ORDER BY created_at, id`)
      .all(imageId) as CaptionRow[];
    return rows.map(captionFromRow);
  }

  /** One transaction: all ops or none. Answers the ops that undo the batch. */
  apply(ops: DocOp[]): DocOp[] {
    return this.applyBatch(ops).inverse;
  }

  /** Like apply, and also answers what the batch changed (its revision, the annotations written) for other clients. */
  applyBatch(ops: DocOp[]): AppliedBatch {
    return writeTransaction(this.db, () => this.writer.applyAll(ops));
  }

  /** 'wal' once open; exposed for diagnostics and tests. */
  journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private imageRow(id: number): ImageRow {
    const row = this.db.prepare(`${IMAGE_SELECT} WHERE i.id = ?`).get(id) as ImageRow | undefined;
    if (!row) throw new AppError('not_found', `Image ${id} is not in this project.`);
    return row;
  }
}

/** Display size (EXIF orientation applied, as browsers show it) from the header alone. */
export async function readImageSize(path: string, relPath: string): Promise<{ width: number; height: number }> {
  // PNG and JPEG headers read directly (a tenth of sharp's cost); anything else, or any doubt, and sharp says (and words any failure).
  let quick: { width: number; height: number } | null = null;
  try {
    quick = headerSize(path);
  } catch {
    // unreadable here: sharp reads it again and words the failure
  }
  if (quick) return quick;
  try {
    const metadata = await sharp(path).metadata();
    const width = metadata.autoOrient?.width ?? metadata.width;
    const height = metadata.autoOrient?.height ?? metadata.height;
    if (!width || !height) throw new Error('no dimensions in the header');
    return { width, height };
  } catch (error) {
    throw new AppError('invalid_file', `Cannot read the image ${relPath}: ${(error as Error).message}`);
  }
}
