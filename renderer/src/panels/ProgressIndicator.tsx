// Progress of long work in main (COCO import/export, scans), from `progress` events.
import { useAppStore } from '../store/appStore.js';

export function ProgressIndicator() {
  const task = useAppStore((s) => s.progressTasks[0]);
  if (!task) return null;
  return (
    <div className="progress" data-testid="progress" title={task.title}>
      <span>{task.title}</span>
      {/* No value while the total is unknown: an indeterminate bar. */}
      <progress max={task.total || undefined} value={task.total ? task.done : undefined} />
    </div>
  );
}
