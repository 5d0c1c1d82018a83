// The eye and ✕ buttons at the end of a list row. They act on their own row
// only, so the click does not also select the row.
import type { MouseEvent } from 'react';

const alone = (action: () => void) => (e: MouseEvent) => {
  e.stopPropagation();
  action();
};

export function VisibilityButton({
  hidden,
  title,
  testId,
  onToggle,
}: {
  hidden: boolean;
  title: string;
  testId: string;
  onToggle: () => void;
}) {
  return (
    <button type="button" className="icon-button" data-testid={testId} title={hidden ? 'Show' : title} onClick={alone(onToggle)}>
      {hidden ? '◌' : '●'}
    </button>
  );
}

export function DeleteButton({ title, testId, onDelete }: { title: string; testId: string; onDelete: () => void }) {
  return (
    <button type="button" className="icon-button danger" data-testid={testId} title={title} onClick={alone(onDelete)}>
      ✕
    </button>
  );
}
