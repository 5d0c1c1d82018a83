// How a job's figures read in the panel: state, progress, rate and time left.
import type { AutolabelJob, AutolabelSource } from '../../../common/contract/index.js';

export const SOURCE_NAMES: Record<AutolabelSource, { name: string; how: string }> = {
  names: { name: 'By name', how: 'Every chosen label is prompted by its name on every image (APE).' },
  examples: {
    name: 'By example',
    how: 'Annotations marked as examples (★ in the annotation list) find more of their kind (SEEM / Painter reference).',
  },
  detector: { name: 'Detector', how: 'An installed detector proposes boxes, optionally turned into masks by a SAM-family model.' },
  features: { name: 'Features only', how: 'Encode every image ahead, so the first click on any image is instant. Proposes nothing.' },
};

export const STATE_NAMES: Record<AutolabelJob['state'], string> = {
  running: 'Running',
  paused: 'Paused',
  cancelled: 'Cancelled',
  done: 'Done',
  failed: 'Failed',
};

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** "12 / 40 images · 0.85 images/s · 33 s left". */
export function jobProgressText(job: AutolabelJob): string {
  const parts = [`${job.done} / ${job.total} images`];
  if (job.failed > 0) parts.push(`${job.failed} failed`);
  if (job.imagesPerSecond !== null) parts.push(`${job.imagesPerSecond.toFixed(job.imagesPerSecond < 10 ? 2 : 1)} images/s`);
  if (job.state === 'running' && job.etaSeconds !== null) parts.push(`${durationText(job.etaSeconds)} left`);
  parts.push(`${job.proposals} proposal${job.proposals === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
