// Wires one host: session, handlers, dispatcher and image bytes. The Electron
// main process and the browser-mode server each create exactly one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageBytes } from '../store/imageFiles.js';
import { RecentProjects } from '../store/recent.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { createHandlers, type HostEnvironment } from './handlers.js';
import { AppSession } from './session.js';

export interface HostOptions {
  mode: HostEnvironment['mode'];
  /** Where app-wide settings live (recent projects); never inside a project. */
  userDataDir: string;
  pickFolder?: HostEnvironment['pickFolder'];
  pickCocoFile?: HostEnvironment['pickCocoFile'];
}

export interface Host {
  session: AppSession;
  dispatch: Dispatch;
  imageBytes: (imageId: number, kind: 'full' | 'thumb') => Promise<{ body: Buffer; contentType: string }>;
}

function appVersion(): string {
  try {
    const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof packageJson.version === 'string' ? packageJson.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function createHost(options: HostOptions): Host {
  const session = new AppSession();
  const env: HostEnvironment = {
    mode: options.mode,
    version: appVersion(),
    pickFolder: options.pickFolder,
    pickCocoFile: options.pickCocoFile,
    recentProjects: new RecentProjects(join(options.userDataDir, 'recent-projects.json')),
  };
  return {
    session,
    dispatch: createDispatch(createHandlers(session, env)),
    imageBytes: (imageId, kind) => imageBytes(session.requireProject(), imageId, kind),
  };
}
