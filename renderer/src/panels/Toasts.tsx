// Messages in the bottom-right corner; errors stay longer and are red.
import { useAppStore } from '../store/appStore.js';

export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  const dismiss = useAppStore((s) => s.dismissToast);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          data-testid="toast"
          data-kind={t.kind}
          role={t.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{t.message}</span>
          <button type="button" className="icon-button" onClick={() => dismiss(t.id)} title="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
