// The state one running host holds: which project is open. Shared by the
// Electron main process and the browser-mode server (one per process).
import { resolve } from 'node:path';
import { AppError } from '../../common/contract/index.js';
import { Project } from '../store/project.js';
import { EventHub } from './events.js';

export class AppSession {
  readonly events = new EventHub();
  private project: Project | null = null;

  get current(): Project | null {
    return this.project;
  }

  open(dir: string): Project {
    const absolute = resolve(dir);
    if (this.project?.dir === absolute) return this.project;
    const next = Project.open(absolute);
    this.project?.close();
    this.project = next;
    return next;
  }

  requireProject(): Project {
    if (!this.project) throw new AppError('no_project', 'Open a project folder first.');
    return this.project;
  }

  close(): void {
    this.project?.close();
    this.project = null;
  }
}
