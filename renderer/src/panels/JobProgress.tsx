// One auto-label job: its source and state, a progress bar of images done of
// the total, rate and time left, its message, and pause / resume / cancel.
import type { AutolabelJob } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { jobProgressText, SOURCE_NAMES, STATE_NAMES } from './autolabelText.js';

export function JobProgress({ job }: { job: AutolabelJob }) {
  const controlJob = useAppStore((s) => s.controlJob);
  const live = job.state === 'running' || job.state === 'paused';
  return (
    <div
      className={`job-progress job-${job.state}`}
      data-testid="job-progress"
      data-job-id={job.id}
      data-state={job.state}
      data-done={job.done}
      data-total={job.total}
    >
      <div className="job-line">
        <strong>{SOURCE_NAMES[job.params.source].name}</strong>
        <span className="muted">{job.modelId}</span>
        <span className="job-state" data-testid="job-state">
          {STATE_NAMES[job.state]}
        </span>
      </div>
      <progress data-testid="job-bar" max={Math.max(1, job.total)} value={job.done + job.failed} />
      <div className="job-figures muted" data-testid="job-figures">
        {jobProgressText(job)}
      </div>
      {job.message && (
        <div className="job-message" data-testid="job-message">
          {job.message}
        </div>
      )}
      {live && (
        <div className="job-actions">
          {job.state === 'running' ? (
            <button type="button" data-testid="job-pause" onClick={() => void controlJob(job.id, 'pause')}>
              Pause
            </button>
          ) : (
            <button type="button" data-testid="job-resume" onClick={() => void controlJob(job.id, 'resume')}>
              Resume
            </button>
          )}
          <button type="button" data-testid="job-cancel" onClick={() => void controlJob(job.id, 'cancel')}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
