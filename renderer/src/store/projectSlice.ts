// Which project is open. Opening one resets everything that belonged to the
// previous project, undo history included.
import type { AppInfo, ProjectSummary } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import type { SliceCreator } from './sliceTypes.js';

export interface ProjectSlice {
  appInfo: AppInfo | null;
  project: ProjectSummary | null;
  /** True until the first `project.current` answer, so the open screen does not flash. */
  starting: boolean;
  opening: boolean;
  startApp: () => Promise<void>;
  openProject: (dir: string) => Promise<void>;
  pickAndOpenProject: () => Promise<void>;
}

export const createProjectSlice: SliceCreator<ProjectSlice> = (set, get) => {
  const enterProject = async (project: ProjectSummary) => {
    get().cancelTool();
    get().clearHistory();
    set({
      project,
      currentImage: null,
      currentIndex: null,
      statusFilter: null,
      searchText: '',
      reviewFilter: {},
      datasetViewOpen: false,
      datasetStats: null,
      selection: [],
      hiddenLabelIds: [],
      hiddenAnnotationIds: [],
    });
    await Promise.all([get().loadLabels(), get().reloadImageList()]);
    if (get().imageTotal > 0) await get().openImageAt(0);
  };

  return {
    appInfo: null,
    project: null,
    starting: true,
    opening: false,
    startApp: async () => {
      try {
        const [appInfo, project] = await Promise.all([api.call('app.info', {}), api.call('project.current', {})]);
        set({ appInfo });
        if (project) await enterProject(project);
      } catch (error) {
        get().showError(error);
      } finally {
        set({ starting: false });
      }
    },
    openProject: async (dir) => {
      set({ opening: true });
      try {
        await enterProject(await api.call('project.open', { dir }));
      } catch (error) {
        get().showError(error);
      } finally {
        set({ opening: false });
      }
    },
    pickAndOpenProject: async () => {
      try {
        const { dir } = await api.call('dialog.pickFolder', {});
        if (dir) await get().openProject(dir);
      } catch (error) {
        get().showError(error);
      }
    },
  };
};
