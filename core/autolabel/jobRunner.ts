// Runs the project's auto-label jobs, one image at a time, oldest job first,
// in the inference worker at background priority (the image on screen stays
// interactive: its clicks run between the job's decoder runs). Pause and
// cancel stop the image in flight at its next checkpoint; its work is
// dropped and done again on resume. State lives in the database (JobStore),
// so a job left running by a closed or killed app goes on at the next open.
import { randomUUID } from 'node:crypto';

import {
  AppError,
  type AutolabelJob,
  type AutolabelParams,
  type AutolabelParamsInput,
  autolabelParamsSchema,
  type Proposal,
} from '../../common/contract/index.js';
import type { ImageSource, InferenceEngine } from '../../engine/engine.js';
import { SUPERSEDED_MESSAGE } from '../../engine/protocol.js';
import type { Project } from '../store/project.js';
import { ProposalTable } from '../store/proposals.js';
import { type JobPlan, planJob } from './jobSpec.js';
import { JobStore, type StoredJob } from './jobStore.js';

export interface JobEvents {
  /** A job's counts or state changed; `image` is the image it just did (list marks, the open image's proposals). */
  changed(job: AutolabelJob, image: { imageId: number; proposalCount: number } | null): void;
}

/** Whole-image proposal settings a job uses (segment everything's defaults, except the grid). */
const EVERYTHING_DEFAULTS = { minScore: 0.7, minAreaFraction: 0.0005, nmsIoU: 0.7 };

export class JobRunner {
  readonly store: JobStore;
  private readonly proposals: ProposalTable;
  private loop: Promise<void> | null = null;
  private inFlight: { jobId: string; abort: AbortController } | null = null;
  private closed = false;
  /** Rate since each job last (re)started: images done then, and when. */
  private readonly rates = new Map<string, { since: number; doneAtStart: number }>();
  private readonly plans = new Map<string, JobPlan>();
  /** With `exclusive`, the jobs this runner started or resumed: the only ones it runs. */
  private readonly own = new Set<string>();

  constructor(
    private readonly project: Project,
    private readonly engine: () => InferenceEngine,
    private readonly images: ImageSource,
    private readonly events: JobEvents,
    /** The app runs every running job of the project; a command-line run (one shard of many) runs only its own. */
    private readonly exclusive = false,
  ) {
    this.store = new JobStore(project.db);
    this.proposals = new ProposalTable(project.db);
  }

  /** Validates the parameters against the project and the model, stores the job, and starts it. */
  async start(input: AutolabelParamsInput, imageOrder?: readonly number[]): Promise<AutolabelJob> {
    const params = autolabelParamsSchema.parse(input);
    const plan = await this.plan(params);
    const imageIds = params.imageIds ?? imageOrder ?? this.project.presentImageIds();
    const known = new Set(this.project.presentImageIds());
    const unknown = imageIds.filter((id) => !known.has(id));
    if (unknown.length) throw new AppError('bad_request', `Unknown image ids: ${unknown.slice(0, 10).join(', ')}.`, 'imageIds');
    const job = this.store.create(params, plan.modelId, imageIds);
    this.plans.set(job.id, plan);
    this.own.add(job.id);
    this.kick();
    return this.publish(job, null);
  }

  jobs(): AutolabelJob[] {
    return this.store.list().map((job) => this.withRate(job));
  }

  pause(jobId: string): AutolabelJob {
    const job = this.store.require(jobId);
    if (job.state !== 'running') throw new AppError('conflict', `The job is ${job.state}; only a running job can be paused.`);
    this.stopInFlight(jobId);
    return this.publish(this.store.setState(jobId, 'paused'), null);
  }

  /** Goes on with a paused or failed job, or one left running by a process that stopped. */
  resume(jobId: string): AutolabelJob {
    const job = this.store.require(jobId);
    if (job.state !== 'paused' && job.state !== 'failed' && job.state !== 'running')
      throw new AppError('conflict', `The job is ${job.state}; only a paused or failed job can be resumed.`);
    this.own.add(jobId);
    const resumed = job.state === 'running' ? job : this.store.setState(jobId, 'running');
    this.plans.delete(jobId); // the project may have changed meanwhile (labels, examples, model)
    this.kick();
    return this.publish(resumed, null);
  }

  /** Stops the job for good; its proposals so far stay for review. */
  cancel(jobId: string): AutolabelJob {
    const job = this.store.require(jobId);
    if (job.state === 'done' || job.state === 'cancelled') throw new AppError('conflict', `The job is ${job.state} already.`);
    this.stopInFlight(jobId);
    return this.publish(this.store.setState(jobId, 'cancelled'), null);
  }

  /** Goes on with the jobs left running (the app was closed or killed while they ran). */
  resumeInterrupted(): void {
    if (this.store.runningIds().length) this.kick();
  }

  /** Resolves when no job is left running (or the runner was closed). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Stops work (the project closes); running jobs stay running in the database and go on at the next open. */
  async close(): Promise<void> {
    this.closed = true;
    this.inFlight?.abort.abort();
    await this.loop;
  }

  /** The job's plan on this project's model (a job resumed when the project opens may come before anything else asked for it). */
  private async plan(params: AutolabelParams): Promise<JobPlan> {
    await this.engine().useProject(this.project.dir);
    return planJob(this.project, this.engine(), this.images, params);
  }

  private stopInFlight(jobId: string): void {
    if (this.inFlight?.jobId === jobId) this.inFlight.abort.abort();
  }

  private kick(): void {
    if (this.loop || this.closed) return;
    this.loop = this.work().finally(() => {
      this.loop = null;
    });
  }

  private async work(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const jobId = this.store.runningIds().find((id) => !this.exclusive || this.own.has(id));
      if (jobId === undefined) return;
      const imageId = this.store.nextPending(jobId);
      if (imageId === null) {
        this.rates.delete(jobId);
        this.publish(this.store.setState(jobId, 'done'), null);
        continue;
      }
      await this.runImage(jobId, imageId);
    }
  }

  private async runImage(jobId: string, imageId: number): Promise<void> {
    const abort = new AbortController();
    this.inFlight = { jobId, abort };
    const started = performance.now();
    try {
      const job = this.store.require(jobId);
      if (!this.rates.has(jobId)) this.rates.set(jobId, { since: Date.now(), doneAtStart: job.done + job.failed });
      let plan = this.plans.get(jobId);
      if (!plan) {
        plan = await this.plan(job.params);
        if (plan.modelId !== job.modelId)
          throw new AppError(
            'conflict',
            `The job was started with ${job.modelId}; the project's model is now ${plan.modelId}. Choose ${job.modelId} again to resume it.`,
          );
        this.plans.set(jobId, plan);
      }
      const answer = await this.engine().autolabel(
        this.images,
        {
          imageId,
          modelId: plan.modelId,
          spec: plan.spec,
          minScore: job.params.minScore,
          nmsIoU: job.params.nmsIoU,
          everything: { ...EVERYTHING_DEFAULTS, pointsPerSide: job.params.pointsPerSide },
        },
        abort.signal,
      );
      if (abort.signal.aborted) return;
      const now = Date.now();
      const proposals: Proposal[] = answer.proposals.map((p) => ({
        id: randomUUID(),
        imageId,
        labelId: p.labelId,
        geometry: p.rle ? { kind: 'mask', rle: p.rle, outline: p.outline } : { kind: 'box', box: p.box },
        score: p.score,
        source: answer.modelId,
        jobId,
        runKey: plan.runKey,
        createdAt: now,
      }));
      this.store.finishImage(jobId, imageId, plan.runKey, proposals, performance.now() - started);
      this.publish(this.store.require(jobId), { imageId, proposalCount: this.proposals.countOnImage(imageId) });
    } catch (error) {
      if (abort.signal.aborted || this.closed) return; // paused, cancelled or closing: the image is done again later
      const message = error instanceof Error ? error.message : String(error);
      if (
        error instanceof AppError &&
        (error.code === 'conflict' || error.code === 'unsupported' || error.code === 'bad_request' || message === SUPERSEDED_MESSAGE)
      ) {
        // The job cannot go on as planned (model changed, examples gone…): it waits for the user, saying why.
        this.plans.delete(jobId);
        this.publish(this.store.setState(jobId, 'paused', message), null);
        return;
      }
      if (error instanceof AppError && error.code === 'internal') {
        // The worker restarted or failed: stop rather than fail every image; resume retries.
        this.plans.delete(jobId);
        this.publish(this.store.setState(jobId, 'failed', message), null);
        return;
      }
      // This image cannot be done (unreadable, gone): the job goes on without it.
      this.store.failImage(jobId, imageId, message);
      this.publish(this.store.require(jobId), { imageId, proposalCount: this.proposals.countOnImage(imageId) });
    } finally {
      if (this.inFlight?.abort === abort) this.inFlight = null;
    }
  }

  private withRate(job: StoredJob): AutolabelJob {
    const rate = this.rates.get(job.id);
    let imagesPerSecond: number | null = null;
    let etaSeconds: number | null = null;
    if (rate && job.state === 'running') {
      const doneSince = job.done + job.failed - rate.doneAtStart;
      const seconds = (Date.now() - rate.since) / 1000;
      if (doneSince > 0 && seconds > 0) {
        imagesPerSecond = doneSince / seconds;
        etaSeconds = (job.total - job.done - job.failed) / imagesPerSecond;
      }
    }
    return { ...job, imagesPerSecond, etaSeconds };
  }

  private publish(job: StoredJob, image: { imageId: number; proposalCount: number } | null): AutolabelJob {
    const full = this.withRate(job);
    this.events.changed(full, image);
    return full;
  }
}
