// Auto-label jobs in the project database: the parameters, the image set in
// order, each image's state, and the proposals. An image's proposals and its
// "done" mark are written in one transaction, so a job killed at any point
// resumes at the first image not done, with nothing done twice or lost.
import { randomUUID } from 'node:crypto';

import type Database from 'better-sqlite3';

import {
  AppError,
  type AutolabelJob,
  type AutolabelParams,
  autolabelParamsSchema,
  type JobState,
  type Proposal,
} from '../../common/contract/index.js';
import { ProposalTable } from '../store/proposals.js';
import { writeTransaction } from '../store/writeTransaction.js';

interface JobRow {
  id: string;
  source: string;
  model_id: string;
  params: string;
  state: JobState;
  message: string | null;
  created_at: number;
  updated_at: number;
  total: number;
  done: number;
  failed: number;
  proposals: number;
}

const JOB_SELECT = `SELECT j.id, j.source, j.model_id, j.params, j.state, j.message, j.created_at, j.updated_at,
  (SELECT COUNT(*) FROM job_images i WHERE i.job_id = j.id) AS total,
  (SELECT COUNT(*) FROM job_images i WHERE i.job_id = j.id AND i.state = 'done') AS done,
  (SELECT COUNT(*) FROM job_images i WHERE i.job_id = j.id AND i.state = 'failed') AS failed,
  (SELECT COALESCE(SUM(i.proposals), 0) FROM job_images i WHERE i.job_id = j.id) AS proposals
  FROM jobs j`;

/** Rate and time left are measured by the runner; the database knows counts. */
export type StoredJob = Omit<AutolabelJob, 'imagesPerSecond' | 'etaSeconds'>;

export class JobStore {
  private readonly s;
  private readonly proposals: ProposalTable;

  constructor(private readonly db: Database.Database) {
    this.proposals = new ProposalTable(db);
    this.s = {
      insertJob: db.prepare(
        'INSERT INTO jobs (id, source, model_id, params, state, message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)',
      ),
      insertImage: db.prepare<[string, number, number]>(
        "INSERT INTO job_images (job_id, image_id, seq, state) VALUES (?, ?, ?, 'pending')",
      ),
      job: db.prepare<[string], JobRow>(`${JOB_SELECT} WHERE j.id = ?`),
      jobs: db.prepare<[], JobRow>(`${JOB_SELECT} ORDER BY j.created_at DESC, j.id`),
      setState: db.prepare<[JobState, string | null, number, string]>(
        'UPDATE jobs SET state = ?, message = ?, updated_at = ? WHERE id = ?',
      ),
      nextPending: db.prepare<[string], { image_id: number }>(
        "SELECT image_id FROM job_images WHERE job_id = ? AND state = 'pending' ORDER BY seq LIMIT 1",
      ),
      markImage: db.prepare<[string, number, number | null, string | null, string, number]>(
        'UPDATE job_images SET state = ?, proposals = ?, ms = ?, message = ? WHERE job_id = ? AND image_id = ?',
      ),
      running: db.prepare<[], { id: string }>("SELECT id FROM jobs WHERE state = 'running' ORDER BY created_at, id"),
      imageStates: db.prepare<[string], { image_id: number; state: string; proposals: number }>(
        'SELECT image_id, state, proposals FROM job_images WHERE job_id = ? ORDER BY seq',
      ),
    };
  }

  /** A new running job over these images, in this order. */
  create(params: AutolabelParams, modelId: string, imageIds: readonly number[]): StoredJob {
    if (imageIds.length === 0) throw new AppError('bad_request', 'The job has no images: the project (or the chosen set) is empty.');
    const id = randomUUID();
    const now = Date.now();
    writeTransaction(this.db, () => {
      this.s.insertJob.run(id, params.source, modelId, JSON.stringify(params), 'running', now, now);
      imageIds.forEach((imageId, seq) => this.s.insertImage.run(id, imageId, seq));
    });
    return this.require(id);
  }

  get(id: string): StoredJob | null {
    const row = this.s.job.get(id);
    return row ? jobFromRow(row) : null;
  }

  require(id: string): StoredJob {
    const job = this.get(id);
    if (!job) throw new AppError('not_found', `Auto-label job ${id} does not exist.`, 'jobId');
    return job;
  }

  list(): StoredJob[] {
    return this.s.jobs.all().map(jobFromRow);
  }

  /** Jobs left running when the app stopped (closed or killed): they go on. */
  runningIds(): string[] {
    return this.s.running.all().map((r) => r.id);
  }

  setState(id: string, state: JobState, message: string | null = null): StoredJob {
    writeTransaction(this.db, () => this.s.setState.run(state, message, Date.now(), id));
    return this.require(id);
  }

  nextPending(jobId: string): number | null {
    return this.s.nextPending.get(jobId)?.image_id ?? null;
  }

  /**
   * One image done: what earlier runs with the same key proposed there is
   * replaced by these proposals, and the image is marked done, atomically.
   */
  finishImage(jobId: string, imageId: number, runKey: string, proposals: readonly Proposal[], ms: number): void {
    writeTransaction(this.db, () => {
      this.proposals.replaceRun(runKey, imageId);
      for (const proposal of proposals) this.proposals.put(proposal);
      this.s.markImage.run('done', proposals.length, ms, null, jobId, imageId);
    });
  }

  /** An image that could not be done (unreadable file, …): the job goes on without it and says why. */
  failImage(jobId: string, imageId: number, message: string): void {
    writeTransaction(this.db, () => this.s.markImage.run('failed', 0, null, message, jobId, imageId));
  }

  imageStates(jobId: string): { imageId: number; state: string; proposals: number }[] {
    return this.s.imageStates.all(jobId).map((r) => ({ imageId: r.image_id, state: r.state, proposals: r.proposals }));
  }
}

function jobFromRow(row: JobRow): StoredJob {
  return {
    id: row.id,
    params: autolabelParamsSchema.parse(JSON.parse(row.params)),
    modelId: row.model_id,
    state: row.state,
    message: row.message,
    total: row.total,
    done: row.done,
    failed: row.failed,
    proposals: row.proposals,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
