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
    return next;
  }

  requireProject(): Project {
    if (!this.project) throw new AppError('no_project', 'Open a project folder first.');
    return this.project;
  }

  close(): void {
    this.stopWatching();
    this.project?.close();
    this.project = null;
  }
}
