// Side column: the auto-label job the project is running (or ran last) with
// its progress bar, rate, time left and controls, and the button that opens
// the dialog to start one and see all jobs.
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';
import { currentJob } from '../store/autolabelSlice.js';
import { AutolabelDialog } from './AutolabelDialog.js';
import { JobProgress } from './JobProgress.js';

export function AutolabelSection() {
  const { job, open, setOpen, jobCount } = useAppStore(
    useShallow((s) => ({
      job: currentJob(s.autolabelJobs),
      jobCount: s.autolabelJobs.length,
      open: s.autolabelDialogOpen,
      setOpen: s.setAutolabelDialogOpen,
    })),
  );
  return (
    <section className="panel-section autolabel-section" data-testid="autolabel-section">
      <h2>
        Auto-label
        <button
          type="button"
          data-testid="autolabel-open"
          title="Propose labels for every image of the folder, as a job"
          onClick={() => setOpen(true)}
        >
          {jobCount > 0 ? 'Jobs…' : 'Start…'}
        </button>
      </h2>
      {job ? <JobProgress job={job} /> : <p className="muted">No job yet: a job proposes labels for the whole folder, to review here.</p>}
      {open && <AutolabelDialog />}
    </section>
  );
}
