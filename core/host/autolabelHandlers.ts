// The autolabel.* and proposals.* channels: auto-label jobs of the open
// project (one runner per project, started when it opens, so a job left
// running by a closed or killed app goes on) and the review queue.
import { randomUUID } from 'node:crypto';

import { AppError, type DocOp } from '../../common/contract/index.js';
import { acceptOps, startedStatusOps } from '../../common/review/proposalOps.js';
import type { InferenceEngine } from '../../engine/engine.js';
import { exportResults, importResults } from '../autolabel/cocoResults.js';
import { JobRunner } from '../autolabel/jobRunner.js';
import { sourceInfo } from '../autolabel/jobSpec.js';
import { resolveExportPath } from '../coco/exportTarget.js';
import type { Project } from '../store/project.js';
import { ProposalTable } from '../store/proposals.js';
import { projectImageSource } from './aiHandlers.js';
import type { Handlers } from './handlerTypes.js';
import type { PathGrants } from './pathGrants.js';
import type { AppSession } from './session.js';

type AutolabelChannel = Extract<keyof Handlers, `autolabel.${string}` | `proposals.${string}`>;

/** The most proposals one "accept all" may turn into annotations (one document batch). */
const MAX_ACCEPT_ALL = 45_000;

export function createAutolabelHandlers(
  session: AppSession,
  engine: () => InferenceEngine,
  grants: PathGrants | null,
): Pick<Handlers, AutolabelChannel> {
  const runners = new WeakMap<Project, JobRunner>();
  const runnerOf = (project: Project): JobRunner => {
    let runner = runners.get(project);
    if (!runner) {
      runner = new JobRunner(project, engine, projectImageSource(project), {
        changed: (job, image) => session.events.emit('autolabel.job', { job, image }),
      });
      runners.set(project, runner);
    }
    return runner;
  };
  session.onProjectLifecycle({
    opened: (project) => runnerOf(project).resumeInterrupted(),
    closing: (project) => void runners.get(project)?.close(),
  });
  const runner = () => runnerOf(session.requireProject());

  return {
    'autolabel.sources': async () => {
      const project = session.requireProject();
      await engine().useProject(project.dir);
      return sourceInfo(engine());
    },
    'autolabel.start': async (params) => {
      const project = session.requireProject();
      await engine().useProject(project.dir);
      return runner().start(params);
    },
    'autolabel.jobs': () => runner().jobs(),
    'autolabel.pause': ({ jobId }) => runner().pause(jobId),
    'autolabel.resume': ({ jobId }) => runner().resume(jobId),
    'autolabel.cancel': ({ jobId }) => runner().cancel(jobId),
    'proposals.list': ({ imageId }) => new ProposalTable(session.requireProject().db).ofImage(imageId),
    'proposals.acceptAll': ({ imageId, minScore, origin }) => {
      const project = session.requireProject();
      const proposals = new ProposalTable(project.db).above(minScore, imageId);
      if (proposals.length === 0)
        throw new AppError(
          'not_found',
          `No proposals score ${minScore.toFixed(2)} or more${imageId === undefined ? '' : ' on this image'}.`,
        );
      if (proposals.length > MAX_ACCEPT_ALL)
        throw new AppError(
          'bad_request',
          `${proposals.length} proposals score ${minScore.toFixed(2)} or more; accept at most ${MAX_ACCEPT_ALL} at once (raise the threshold, or accept image by image).`,
          'minScore',
        );
      const now = Date.now();
      const imageIds = [...new Set(proposals.map((p) => p.imageId))];
      const statuses = imageIds.map((id) => ({ imageId: id, status: project.imageStatus(id) }));
      const ops: DocOp[] = [...proposals.flatMap((p) => acceptOps(p, randomUUID(), now)), ...startedStatusOps(statuses)];
      const { inverse, change } = project.applyBatch(ops);
      session.events.emit('document.changed', { ...change, origin: origin ?? null });
      return { inverse, revision: change.revision, revisions: change.revisions };
    },
    'proposals.exportResults': ({ outPath, what, overwrite }) => {
      if (outPath !== undefined) grants?.require('cocoExport', outPath);
      const project = session.requireProject();
      const path = resolveExportPath(project, outPath, 'results');
      return exportResults(project, what, path, overwrite);
    },
    'proposals.importResults': async ({ path }) => {
      grants?.require('cocoImport', path);
      const summary = await importResults(session.requireProject(), path);
      session.events.emit('project.changed', { reason: 'proposals imported' });
      return summary;
    },
  };
}
