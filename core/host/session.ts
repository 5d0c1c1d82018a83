// The state one running host holds: which project is open. Shared by the
// Electron main process and the browser-mode server (one per process).
import { resolve } from 'node:path';

import { AppError } from '../../common/contract/index.js';
import { Project } from '../store/project.js';
import { EventHub } from './events.js';
import { watchExternalChanges } from './externalChanges.js';

export class AppSession {
  readonly events = new EventHub();
  private project: Project | null = null;
  private stopWatching: () => void = () => {};
  /** Per-project services (auto-label jobs) started when a project opens and stopped before it closes. */
  private readonly lifecycle = new Set<{ opened(project: Project): void; closing(project: Project): void }>();

  get current(): Project | null {
    return this.project;
  }

  open(dir: string): Project {
    const absolute = resolve(dir);
    if (this.project?.dir === absolute) return this.project;
    const next = Project.open(absolute);
    this.close();
    this.project = next;
    // Changes committed by another process (the app, another `serve`, a CLI import): every client reloads.
    this.stopWatching = watchExternalChanges(next.db, () => this.events.emit('project.changed', { reason: 'changed by another program' }));
    for (const hooks of this.lifecycle) hooks.opened(next);
    return next;
  }

  /** Calls `opened` for each project opened from now on (and the open one), `closing` before it closes; answers the unsubscribe. */
  onProjectLifecycle(hooks: { opened(project: Project): void; closing(project: Project): void }): () => void {
    this.lifecycle.add(hooks);
    if (this.project) hooks.opened(this.project);
    return () => this.lifecycle.delete(hooks);
  }

  requireProject(): Project {
    if (!this.project) throw new AppError('no_project', 'Open a project folder first.');
    return this.project;
  }

  close(): void {
    if (this.project) for (const hooks of this.lifecycle) hooks.closing(this.project);
    this.stopWatching();
    this.project?.close();
    this.project = null;
  }
}
