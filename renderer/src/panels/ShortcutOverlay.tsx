// The `?` panel: every key of the action list and the mouse gestures,
// grouped, from the same list the keyboard handler runs.
import { overlaySections } from '../actions/overlayRows.js';
import { useAppStore } from '../store/appStore.js';

const SECTIONS = overlaySections();

export function ShortcutOverlay() {
  const open = useAppStore((s) => s.shortcutsOpen);
  const toggle = useAppStore((s) => s.toggleShortcuts);
  if (!open) return null;
  return (
    <div className="overlay-backdrop" onClick={toggle}>
      <div className="shortcuts" data-testid="shortcuts" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="icon-button" onClick={toggle} title="Close (?)">
            ✕
          </button>
        </header>
        <div className="shortcut-groups">
          {SECTIONS.map(({ group, rows }) => (
            <section key={group}>
              <h3>{group}</h3>
              <dl>
                {rows.map((row) => (
                  <div key={row.keys} className="shortcut">
                    <dt>
                      <kbd>{row.keys}</kbd>
                    </dt>
                    <dd>{row.description}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
