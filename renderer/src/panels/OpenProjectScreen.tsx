// Shown when no project is open: the desktop app opens a folder chosen in the
// native dialog or a recent project (its host accepts no typed path); browser
// mode has no native dialog, so it takes a typed path.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';

export function OpenProjectScreen() {
  const { appInfo, opening, openProject, pickAndOpenProject } = useAppStore(
    useShallow((s) => ({ appInfo: s.appInfo, opening: s.opening, openProject: s.openProject, pickAndOpenProject: s.pickAndOpenProject })),
  );
  const [path, setPath] = useState('');
  return (
    <main className="open-screen">
      <div className="open-card">
        <h1>promptlabel</h1>
        <p className="muted">Open a folder of images. The project database is kept inside it.</p>
        {appInfo?.mode === 'electron' ? (
          <button
            type="button"
            className="primary wide"
            data-testid="pick-folder"
            disabled={opening}
            onClick={() => void pickAndOpenProject()}
          >
            Open folder…
          </button>
        ) : (
          <form
            className="open-path"
            onSubmit={(e) => {
              e.preventDefault();
              if (path.trim()) void openProject(path.trim());
            }}
          >
            <input
              data-testid="project-path"
              placeholder="/path/to/images"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              autoFocus
            />
            <button type="submit" data-testid="open-project" className="primary" disabled={opening || !path.trim()}>
              {opening ? 'Opening…' : 'Open'}
            </button>
          </form>
        )}
        {appInfo && appInfo.recentProjects.length > 0 && (
          <div className="recent">
            <h2>Recent</h2>
            {appInfo.recentProjects.map((dir) => (
              <button key={dir} type="button" className="link" onClick={() => void openProject(dir)}>
                {dir}
              </button>
            ))}
          </div>
        )}
      </div>
    </main>
  );
}
