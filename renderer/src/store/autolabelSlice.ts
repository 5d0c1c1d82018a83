// Auto-label jobs as the renderer follows them: which sources the current
// model can serve (and why not), the project's jobs with their progress, and
// starting, pausing, resuming and cancelling one. The host runs the jobs and
// reports every change ('autolabel.job'); the image it just did gets its new
// count of waiting proposals in the list, and its proposals reload when it is
// the one on screen.
import type { AutolabelJob, AutolabelParamsInput, AutolabelSourceInfo, EventMap } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { withProposalCount } from './proposalsSlice.js';
import type { SliceCreator } from './sliceTypes.js';

export interface AutolabelSlice {
  /** Null until loaded. */
  autolabelSources: AutolabelSourceInfo[] | null;
  /** Newest first. */
  autolabelJobs: AutolabelJob[];
  autolabelDialogOpen: boolean;
  setAutolabelDialogOpen: (open: boolean) => void;
  loadAutolabel: () => Promise<void>;
  /** Resolves with the started job, or null when the host refused (the error is shown). */
  startAutolabel: (params: AutolabelParamsInput) => Promise<AutolabelJob | null>;
  controlJob: (jobId: string, command: 'pause' | 'resume' | 'cancel') => Promise<void>;
  applyAutolabelEvent: (event: EventMap['autolabel.job']) => void;
}

const newestFirst = (a: AutolabelJob, b: AutolabelJob) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

function upsertJob(jobs: readonly AutolabelJob[], job: AutolabelJob): AutolabelJob[] {
  const index = jobs.findIndex((j) => j.id === job.id);
  // An older report arriving late must not roll the job back.
  const previous = index === -1 ? undefined : jobs[index]!;
  if (previous && previous.updatedAt > job.updatedAt) return jobs as AutolabelJob[];
  // The host measures the rate while a job runs; once it stops, the last rate measured is still worth showing.
  const shown =
    job.imagesPerSecond === null && previous?.imagesPerSecond != null ? { ...job, imagesPerSecond: previous.imagesPerSecond } : job;
  return (index === -1 ? [...jobs, shown] : jobs.map((j, i) => (i === index ? shown : j))).sort(newestFirst);
}

/** The job the progress bar follows: the newest running or paused one, else the newest. */
export const currentJob = (jobs: readonly AutolabelJob[]): AutolabelJob | null =>
  jobs.find((j) => j.state === 'running' || j.state === 'paused') ?? jobs[0] ?? null;

export const createAutolabelSlice: SliceCreator<AutolabelSlice> = (set, get) => ({
  autolabelSources: null,
  autolabelJobs: [],
  autolabelDialogOpen: false,
  setAutolabelDialogOpen: (autolabelDialogOpen) => {
    set({ autolabelDialogOpen });
    // The sources depend on the model chosen since.
    if (autolabelDialogOpen) void get().loadAutolabel();
  },
  loadAutolabel: async () => {
    try {
      const [sources, jobs] = await Promise.all([api.call('autolabel.sources', {}), api.call('autolabel.jobs', {})]);
      set({ autolabelSources: sources, autolabelJobs: jobs.reduce(upsertJob, [] as AutolabelJob[]) });
    } catch (error) {
      get().showError(error);
    }
  },
  startAutolabel: async (params) => {
    try {
      const job = await api.call('autolabel.start', params);
      set((s) => ({ autolabelJobs: upsertJob(s.autolabelJobs, job) }));
      return job;
    } catch (error) {
      get().showError(error);
      return null;
    }
  },
  controlJob: async (jobId, command) => {
    try {
      const job = await api.call(`autolabel.${command}`, { jobId });
      set((s) => ({ autolabelJobs: upsertJob(s.autolabelJobs, job) }));
    } catch (error) {
      get().showError(error);
    }
  },
  applyAutolabelEvent: ({ job, image }) => {
    set((s) => ({
      autolabelJobs: upsertJob(s.autolabelJobs, job),
      ...(image ? withProposalCount(s, image.imageId, image.proposalCount) : {}),
    }));
    if (image) get().reloadProposalsOf([image.imageId]);
  },
});
