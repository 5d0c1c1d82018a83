// The frame the AI panel's dialogs share: a backdrop that closes on a click
// that starts and ends on it (a drag out of the dialog does not close it), a
// dialog that takes focus and owns the keyboard (no tool keys or image
// stepping behind it, Esc closes), and a header with a close button.
import { type KeyboardEvent, type ReactNode, useEffect, useRef } from 'react';

export interface ModalDialogProps {
  className: string;
  testId: string;
  title: string;
  onClose: () => void;
  /** Tooltip of the close button. */
  closeTitle?: string;
  /** Keys beyond Esc (e.g. Enter to confirm). */
  onKey?: (event: KeyboardEvent<HTMLDivElement>) => void;
  children: ReactNode;
}

export function ModalDialog({ className, testId, title, onClose, closeTitle = 'Close (Esc)', onKey, children }: ModalDialogProps) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const pressedOnBackdrop = useRef(false);
  useEffect(() => dialogRef.current?.focus(), []);
  return (
    <div
      className="overlay-backdrop"
      onPointerDown={(e) => (pressedOnBackdrop.current = e.target === e.currentTarget)}
      onClick={(e) => {
        if (pressedOnBackdrop.current && e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={dialogRef}
        className={className}
        data-testid={testId}
        role="dialog"
        aria-label={title}
        tabIndex={-1}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') onClose();
          else onKey?.(e);
        }}
      >
        <header>
          <h2>{title}</h2>
          <button type="button" className="icon-button" onClick={onClose} title={closeTitle}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
