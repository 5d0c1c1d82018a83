// Transient app chrome: toasts, progress of long tasks, the shortcut overlay,
// the AI panel's reference-region dialog.
import type { EventMap } from '../../../common/contract/index.js';
import type { SliceCreator } from './sliceTypes.js';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

export type ProgressTask = EventMap['progress'];

export interface UiSlice {
  toasts: Toast[];
  progressTasks: ProgressTask[];
  shortcutsOpen: boolean;
  aiReferenceOpen: boolean;
  showToast: (kind: Toast['kind'], message: string) => void;
  showError: (error: unknown) => void;
  dismissToast: (id: number) => void;
  updateProgress: (task: ProgressTask) => void;
  toggleShortcuts: () => void;
  setReferenceOpen: (open: boolean) => void;
}

const TOAST_MS = { info: 5000, error: 10000 };
let nextToastId = 1;

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  toasts: [],
  progressTasks: [],
  shortcutsOpen: false,
  aiReferenceOpen: false,
  showToast: (kind, message) => {
    const id = nextToastId++;
    set((s) => ({ toasts: [...s.toasts.slice(-4), { id, kind, message }] }));
    setTimeout(() => get().dismissToast(id), TOAST_MS[kind]);
  },
  showError: (error) => get().showToast('error', error instanceof Error ? error.message : String(error)),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  updateProgress: (task) =>
    set((s) => {
      const others = s.progressTasks.filter((t) => t.taskId !== task.taskId);
      return { progressTasks: task.finished ? others : [...others, task] };
    }),
  toggleShortcuts: () => set((s) => ({ shortcutsOpen: !s.shortcutsOpen })),
  setReferenceOpen: (aiReferenceOpen) => set({ aiReferenceOpen }),
});
