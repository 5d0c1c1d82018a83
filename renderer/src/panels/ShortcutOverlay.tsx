// The `?` panel: every shortcut, grouped, from the same table the keyboard handler uses.
import { useAppStore } from '../store/appStore.js';
import { MOUSE_GESTURES, SHORTCUTS, type ShortcutInfo } from '../shortcuts/shortcutTable.js';

const GROUPS: ShortcutInfo['group'][] = ['Tools', 'AI', 'Labels', 'Edit', 'View', 'Images', 'Help'];

export function ShortcutOverlay() {
  const open = useAppStore((s) => s.shortcutsOpen);
  const toggle = useAppStore((s) => s.toggleShortcuts);
  if (!open) return null;
  const all: readonly ShortcutInfo[] = [...SHORTCUTS, ...MOUSE_GESTURES];
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
          {GROUPS.map((group) => (
            <section key={group}>
              <h3>{group}</h3>
              <dl>
                {all
                  .filter((s) => s.group === group)
                  .map((s) => (
                    <div key={s.keys} className="shortcut">
                      <dt>
                        <kbd>{s.keys}</kbd>
                      </dt>
                      <dd>{s.description}</dd>
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
