// The proposals table: what auto-label jobs (or an imported results file)
// propose, waiting for review. Statements are prepared once per database.
import type Database from 'better-sqlite3';

import type { Geometry, Proposal, ProposalRecord } from '../../common/contract/index.js';
import { measureGeometry } from '../../common/geometry/measure.js';
import { geometryJson } from './rows.js';

interface ProposalRow {
  id: string;
  job_id: string | null;
  image_id: number;
  label_id: string | null;
  kind: string;
  geometry: string;
  score: number;
  source: string;
  run_key: string;
  area: number;
  bbox_x: number;
  bbox_y: number;
  bbox_w: number;
  bbox_h: number;
  created_at: number;
}

const COLUMNS = 'id, job_id, image_id, label_id, kind, geometry, score, source, run_key, area, bbox_x, bbox_y, bbox_w, bbox_h, created_at';

export function proposalFromRow(row: ProposalRow): ProposalRecord {
  return {
    id: row.id,
    imageId: row.image_id,
    labelId: row.label_id,
    geometry: JSON.parse(row.geometry) as Geometry,
    score: row.score,
    source: row.source,
    jobId: row.job_id,
    runKey: row.run_key,
    createdAt: row.created_at,
    box: { x: row.bbox_x, y: row.bbox_y, w: row.bbox_w, h: row.bbox_h },
    area: row.area,
  };
}

/** A record's stored fields only (what a proposal.put op carries). */
export function proposalOf(record: ProposalRecord): Proposal {
  const { box: _box, area: _area, ...proposal } = record;
  return proposal;
}

export class ProposalTable {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare(
        `INSERT OR REPLACE INTO proposals (${COLUMNS}) VALUES (@id, @job_id, @image_id, @label_id, @kind, @geometry, @score, @source, @run_key, @area, @bbox_x, @bbox_y, @bbox_w, @bbox_h, @created_at)`,
      ),
      get: db.prepare<[string], ProposalRow>(`SELECT ${COLUMNS} FROM proposals WHERE id = ?`),
      delete: db.prepare<[string]>('DELETE FROM proposals WHERE id = ?'),
      countOnImage: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM proposals WHERE image_id = ?'),
      ofImage: db.prepare<[number], ProposalRow>(`SELECT ${COLUMNS} FROM proposals WHERE image_id = ? ORDER BY score DESC, id`),
      replaceRun: db.prepare<[string, number]>('DELETE FROM proposals WHERE run_key = ? AND image_id = ?'),
      above: db.prepare<[number], ProposalRow>(`SELECT ${COLUMNS} FROM proposals WHERE score >= ? ORDER BY image_id, score DESC, id`),
      aboveOnImage: db.prepare<[number, number], ProposalRow>(
        `SELECT ${COLUMNS} FROM proposals WHERE image_id = ? AND score >= ? ORDER BY score DESC, id`,
      ),
      all: db.prepare<[], ProposalRow>(`SELECT ${COLUMNS} FROM proposals ORDER BY image_id, score DESC, id`),
      imageExists: db.prepare<[number], { id: number }>('SELECT id FROM images WHERE id = ?'),
      labelExists: db.prepare<[string], { id: string }>('SELECT id FROM labels WHERE id = ?'),
    };
  }

  /** Writes one proposal (caller's transaction); refuses references that do not exist. */
  put(proposal: Proposal): void {
    const measure = measureGeometry(proposal.geometry);
    const [x, y, w, h] = measure.bbox;
    this.s.insert.run({
      id: proposal.id,
      job_id: proposal.jobId,
      image_id: proposal.imageId,
      label_id: proposal.labelId,
      kind: proposal.geometry.kind,
      geometry: geometryJson(proposal.geometry),
      score: proposal.score,
      source: proposal.source,
      run_key: proposal.runKey,
      area: measure.area,
      bbox_x: x,
      bbox_y: y,
      bbox_w: w,
      bbox_h: h,
      created_at: proposal.createdAt,
    });
  }

  get(id: string): ProposalRecord | null {
    const row = this.s.get.get(id);
    return row ? proposalFromRow(row) : null;
  }

  delete(id: string): void {
    this.s.delete.run(id);
  }

  countOnImage(imageId: number): number {
    return this.s.countOnImage.get(imageId)?.n ?? 0;
  }

  ofImage(imageId: number): ProposalRecord[] {
    return this.s.ofImage.all(imageId).map(proposalFromRow);
  }

  /** Drops what an earlier run with this key proposed on the image (before the new run's proposals go in). */
  replaceRun(runKey: string, imageId: number): void {
    this.s.replaceRun.run(runKey, imageId);
  }

  /** Proposals scoring at least `minScore`, on one image or all. */
  above(minScore: number, imageId?: number): ProposalRecord[] {
    return (imageId === undefined ? this.s.above.all(minScore) : this.s.aboveOnImage.all(imageId, minScore)).map(proposalFromRow);
  }

  all(): ProposalRecord[] {
    return this.s.all.all().map(proposalFromRow);
  }

  imageExists(imageId: number): boolean {
    return this.s.imageExists.get(imageId) !== undefined;
  }

  labelExists(labelId: string): boolean {
    return this.s.labelExists.get(labelId) !== undefined;
  }
}
