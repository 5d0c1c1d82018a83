// `promptlabel autolabel`: the app's auto-label job without the UI, for
// pipelines and clusters. The job is stored in the project database like one
// started in the app, so an interrupted run (kill -9, a pre-empted node)
// resumes where it stopped when the same command runs again. `--shard I/N`
// takes every N-th image starting at I, so a Slurm array, a Kubernetes
// Indexed Job or GNU parallel can spread a folder over many workers;
// `--out` writes that run's proposals as COCO results, which
// `promptlabel import --proposals` merges into the review queue.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  AppError,
  AUTOLABEL_SOURCES,
  type AutolabelParams,
  autolabelParamsSchema,
  type AutolabelSource,
} from '../../common/contract/index.js';
import { exportResults } from '../../core/autolabel/cocoResults.js';
import { JobRunner } from '../../core/autolabel/jobRunner.js';
import { projectImageSource } from '../../core/host/aiHandlers.js';
import { Project } from '../../core/store/project.js';
import { createCliEngine } from './cliEngine.js';
import { type CliCommand, type CliIo, UsageError } from './types.js';

const USAGE = `promptlabel autolabel --project DIR --by names|examples|detector|features
         [--labels NAME,NAME,…] [--model ID] [--chain ID] [--min-score S] [--nms-iou X] [--points-per-side N]
         [--shard I/N] [--out RESULTS.json] [--overwrite]
  --by names      every label (or --labels) as a text prompt, one mask per instance, stuff merged
  --by examples   annotations marked as examples in the app; finds more of each in every image
  --by detector   an installed detector (--model), boxes turned into masks by --chain (a SAM-family model)
  --by features   encodes every image ahead, so the first click on any image is instant
  --model         the segmenter (names, examples, features; default: the model a new project starts on) or the detector
  --shard I/N     every N-th image starting at I (0 <= I < N), in the project's list order
  --out FILE      also write this run's proposals as COCO results (merge shards with: promptlabel import --proposals FILE)
Running the same command again resumes an interrupted run; a finished one runs again and replaces its own proposals.`;

export const autolabelCommand: CliCommand = {
  name: 'autolabel',
  summary: 'propose labeled masks for a whole folder (by label names, examples or a detector), resumable and shardable',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        project: { type: 'string' },
        by: { type: 'string' },
        labels: { type: 'string' },
        model: { type: 'string' },
        chain: { type: 'string' },
        'min-score': { type: 'string' },
        'nms-iou': { type: 'string' },
        'points-per-side': { type: 'string' },
        shard: { type: 'string' },
        out: { type: 'string' },
        overwrite: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    if (!values.project) throw new UsageError('--project is required.');
    const by = values.by as AutolabelSource | undefined;
    if (!by || !AUTOLABEL_SOURCES.includes(by)) throw new UsageError(`--by must be one of ${AUTOLABEL_SOURCES.join(', ')}.`);
    if (values.chain !== undefined && by !== 'detector') throw new UsageError('--chain goes with --by detector.');
    const shard = values.shard === undefined ? null : parseShard(values.shard);
    const project = Project.open(values.project);
    const engine = createCliEngine(by === 'detector' || values.model === undefined ? {} : { modelId: values.model });
    try {
      const labelIds = values.labels === undefined ? undefined : labelIdsByName(project, values.labels);
      const all = project.presentImageIds();
      const imageIds = shard ? all.filter((_, i) => i % shard.count === shard.index) : undefined;
      if (imageIds?.length === 0) {
        io.stderr(`Shard ${shard!.index}/${shard!.count} has no images (the project has ${all.length}).\n`);
        return 0;
      }
      const params = autolabelParamsSchema.parse({
        source: by,
        ...(by === 'detector' && values.model !== undefined ? { modelId: values.model } : {}),
        ...(values.chain !== undefined ? { chainModelId: values.chain } : {}),
        ...(labelIds ? { labelIds } : {}),
        ...(imageIds ? { imageIds } : {}),
        ...numberOption(values['min-score'], 'minScore', '--min-score'),
        ...numberOption(values['nms-iou'], 'nmsIoU', '--nms-iou'),
        ...numberOption(values['points-per-side'], 'pointsPerSide', '--points-per-side'),
      });
      const runner = new JobRunner(project, () => engine, projectImageSource(project), { changed: progressLine(io) }, true);
      const unfinished = runner
        .jobs()
        .find((j) => (j.state === 'running' || j.state === 'paused' || j.state === 'failed') && sameParams(j.params, params));
      const job = unfinished ? runner.resume(unfinished.id) : await runner.start(params);
      if (unfinished) io.stderr(`Resuming job ${job.id}: ${job.done + job.failed} of ${job.total} images done before.\n`);
      await runner.idle();
      const end = runner.store.require(job.id);
      io.stdout(`Job ${end.id} ${end.state}: ${end.done} images done, ${end.failed} failed, ${end.proposals} proposals.\n`);
      for (const failed of runner.store.imageStates(job.id).filter((s) => s.state === 'failed'))
        io.stderr(`  image ${failed.imageId} failed\n`);
      if (values.out !== undefined && end.state === 'done') {
        const summary = exportResults(project, 'proposals', resolve(values.out), values.overwrite ?? false, job.id);
        io.stdout(
          `Wrote ${summary.results} results on ${summary.images} images to ${summary.path}${summary.unlabeled ? ` (${summary.unlabeled} unlabeled proposals left out)` : ''}.\n`,
        );
      }
      if (end.state !== 'done') {
        io.stderr(`The job stopped: ${end.message ?? end.state}. Run the same command again to resume it.\n`);
        return 1;
      }
      return end.failed > 0 ? 1 : 0;
    } finally {
      await engine.close();
      project.close();
    }
  },
};

function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1) || !(index < count)) throw new UsageError(`--shard must be I/N with 0 <= I < N (e.g. 0/4), not "${text}".`);
  return { index, count };
}

function numberOption(text: string | undefined, key: keyof AutolabelParams, flag: string): Record<string, number> {
  if (text === undefined) return {};
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number, not "${text}".`);
  return { [key]: value };
}

function labelIdsByName(project: Project, list: string): string[] {
  const labels = project.labels();
  return list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      const label = labels.find((l) => l.name === name);
      if (!label) throw new AppError('not_found', `No label named "${name}". Labels: ${labels.map((l) => l.name).join(', ') || 'none'}.`);
      return label.id;
    });
}

const sameParams = (a: AutolabelParams, b: AutolabelParams): boolean => JSON.stringify(a) === JSON.stringify(b);

function progressLine(io: CliIo) {
  let last = 0;
  return (job: {
    done: number;
    failed: number;
    total: number;
    imagesPerSecond: number | null;
    etaSeconds: number | null;
    state: string;
  }) => {
    const now = Date.now();
    const finished = job.done + job.failed === job.total;
    if (now - last < 1000 && !finished) return;
    last = now;
    const rate =
      job.imagesPerSecond === null ? '' : `, ${job.imagesPerSecond.toFixed(2)} images/s, ${Math.round(job.etaSeconds ?? 0)} s left`;
    io.stderr(`autolabel: ${job.done + job.failed}/${job.total} images (${job.state})${rate}\n`);
  };
}
