// The renderer's side of auto-label jobs and the review queue: the jobs and
// sources once the workspace shows, the host's job reports, and changes that
// reviewed proposals elsewhere (another window, accept all, an import).
import { useEffect } from 'react';

import { api } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';

export function useAutolabelEvents(): void {
  useEffect(() => {
    const { loadAutolabel, applyAutolabelEvent, applyProposalChange } = useAppStore.getState();
    void loadAutolabel();
    const offJob = api.on('autolabel.job', applyAutolabelEvent);
    const offDocument = api.on('document.changed', applyProposalChange);
    // An import of results (or a CLI run) added proposals anywhere.
    const offProject = api.on('project.changed', () => {
      const s = useAppStore.getState();
      void s.loadAutolabel();
      if (s.currentImage) void s.loadProposals(s.currentImage.id);
    });
    return () => {
      offJob();
      offDocument();
      offProject();
    };
  }, []);
}
