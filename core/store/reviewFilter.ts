// The review filter in SQL: which images the list shows, the next image that
// matches, and which of one image's annotations match. One predicate for all
// three, so the image list, the "next matching image" key and the annotation
// list can never disagree. The annotation conditions read only columns of the
// annotations_review index (image_id, label_id, source, job_id, score, area),
// so a filtered list of 10,000 images never reads an annotation's geometry.
import type Database from 'better-sqlite3';

import {
  AppError,
  hasAnnotationConditions,
  type ImageNeighbour,
  type ImageStatus,
  type ReviewFilter,
} from '../../common/contract/index.js';

/** What the image list is filtered by: the status and search of the list, and the review filter. */
export interface ImageListFilter {
  status?: ImageStatus;
  /** Case-insensitive substring of the relative path. */
  search?: string;
  filter?: ReviewFilter;
}

export interface SqlWhere {
  /** Conditions joined by AND; never empty. */
  where: string[];
  params: (string | number)[];
}

/** The conditions on one annotation row `alias` (label, origin, score, area); empty when the filter has none. */
export function annotationConditions(filter: ReviewFilter, alias: string): SqlWhere {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.labelId === null) where.push(`${alias}.label_id IS NULL`);
  else if (filter.labelId !== undefined) {
    where.push(`${alias}.label_id = ?`);
    params.push(filter.labelId);
  }
  if (filter.origin?.kind === 'accepted') where.push(`${alias}.job_id IS NOT NULL`);
  else if (filter.origin?.kind === 'source') {
    where.push(`${alias}.job_id IS NULL AND ${alias}.source = ?`);
    params.push(filter.origin.source);
  }
  if (filter.minScore !== undefined) {
    where.push(`${alias}.score >= ?`);
    params.push(filter.minScore);
  }
  if (filter.maxScore !== undefined) {
    where.push(`${alias}.score <= ?`);
    params.push(filter.maxScore);
  }
  if (filter.minArea !== undefined) {
    where.push(`${alias}.area >= ?`);
    params.push(filter.minArea);
  }
  if (filter.maxArea !== undefined) {
    where.push(`${alias}.area < ?`);
    params.push(filter.maxArea);
  }
  return { where, params };
}

/** The conditions on image row `i` for the list: present files, status, search, the review filter. */
export function imageListWhere({ status, search, filter = {} }: ImageListFilter): SqlWhere {
  const where = ['i.missing = 0'];
  const params: (string | number)[] = [];
  if (status) {
    where.push('i.status = ?');
    params.push(status);
  }
  if (search) {
    where.push("i.rel_path LIKE ? ESCAPE '\\'");
    params.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (hasAnnotationConditions(filter)) {
    const annotation = annotationConditions(filter, 'a');
    where.push(`EXISTS (SELECT 1 FROM annotations a WHERE a.image_id = i.id AND ${annotation.where.join(' AND ')})`);
    params.push(...annotation.params);
  }
  if (filter.minAnnotations !== undefined || filter.maxAnnotations !== undefined) {
    where.push('(SELECT COUNT(*) FROM annotations c WHERE c.image_id = i.id) BETWEEN ? AND ?');
    params.push(filter.minAnnotations ?? 0, filter.maxAnnotations ?? Number.MAX_SAFE_INTEGER);
  }
  if (filter.hasProposals !== undefined) {
    where.push(`${filter.hasProposals ? '' : 'NOT '}EXISTS (SELECT 1 FROM proposals p WHERE p.image_id = i.id)`);
  }
  return { where, params };
}

/**
 * The first image after (direction 1) or before (-1) `fromImageId` in list
 * order that passes the list's filter, and its index in the filtered list;
 * null when there is none. The image it starts from need not pass the
 * filter itself (it may have just stopped matching: its proposals reviewed).
 */
export function neighbourImage(
  db: Database.Database,
  fromImageId: number | null,
  direction: 1 | -1,
  listFilter: ImageListFilter,
): ImageNeighbour | null {
  const { where, params } = imageListWhere(listFilter);
  const after = direction === 1 ? '>' : '<';
  if (fromImageId !== null) {
    const from = db.prepare('SELECT sort_key, rel_path FROM images WHERE id = ?').get(fromImageId) as
      { sort_key: string; rel_path: string } | undefined;
    if (!from) throw new AppError('not_found', `Image ${fromImageId} is not in this project.`);
    where.push(`(i.sort_key, i.rel_path) ${after} (?, ?)`);
    params.push(from.sort_key, from.rel_path);
  }
  const order = direction === 1 ? 'i.sort_key, i.rel_path' : 'i.sort_key DESC, i.rel_path DESC';
  const found = db
    .prepare(`SELECT i.id, i.sort_key, i.rel_path FROM images i WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT 1`)
    .get(...params) as { id: number; sort_key: string; rel_path: string } | undefined;
  if (!found) return null;
  const before = imageListWhere(listFilter);
  const { index } = db
    .prepare(`SELECT COUNT(*) AS 'index' FROM images i WHERE ${before.where.join(' AND ')} AND (i.sort_key, i.rel_path) < (?, ?)`)
    .get(...before.params, found.sort_key, found.rel_path) as { index: number };
  return { imageId: found.id, index };
}

/** Ids of the image's annotations that pass the filter's annotation conditions (all of them when it has none). */
export function matchingAnnotationIds(db: Database.Database, imageId: number, filter: ReviewFilter): string[] {
  if (!db.prepare('SELECT 1 FROM images WHERE id = ?').get(imageId))
    throw new AppError('not_found', `Image ${imageId} is not in this project.`);
  const { where, params } = annotationConditions(filter, 'a');
  const rows = db
    .prepare(`SELECT a.id FROM annotations a WHERE a.image_id = ?${where.map((w) => ` AND ${w}`).join('')} ORDER BY a.created_at, a.id`)
    .all(imageId, ...params) as { id: string }[];
  return rows.map((row) => row.id);
}
