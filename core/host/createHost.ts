// Wires one host: session, handlers, dispatcher and image bytes. The Electron
// main process and the browser-mode server each create exactly one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type EngineOptions, InferenceEngine } from '../../engine/engine.js';
import { imageBytes } from '../store/imageFiles.js';
import { RecentProjects } from '../store/recent.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { createHandlers, type HostEnvironment } from './handlers.js';
import { PathGrants } from './pathGrants.js';
import { AppSession } from './session.js';

export interface HostOptions {
  mode: HostEnvironment['mode'];
  /** Where app-wide settings live (recent projects); never inside a project. */
  userDataDir: string;
  pickFolder?: HostEnvironment['pickFolder'];
  pickCocoFile?: HostEnvironment['pickCocoFile'];
  pickModelFiles?: HostEnvironment['pickModelFiles'];
  saveCocoFile?: HostEnvironment['saveCocoFile'];
  pickDatasetPath?: HostEnvironment['pickDatasetPath'];
  /** Engine overrides (tests, CLI): settings not persisted, another worker entry. */
  engine?: Pick<EngineOptions, 'settings' | 'workerEntry'>;
}

export interface Host {
  session: AppSession;
  dispatch: Dispatch;
  imageBytes: (imageId: number, kind: 'full' | 'thumb') => Promise<{ body: Buffer; contentType: string }>;
  /** Electron mode: the paths the renderer may name (dialog choices; the main process adds the command-line project). Null in browser mode. */
  pathGrants: PathGrants | null;
  /** The inference engine, created on first use (its worker starts then). */
  engine: () => InferenceEngine;
  /** Closes the project and stops the inference worker. */
  close: () => Promise<void>;
}

/**
 * Built-in models ship in models/ at the app root (next to dist/). In a
 * packaged app they are unpacked beside the asar archive (electron-builder.yml),
 * because onnxruntime's native code cannot read inside it.
 */
export const BUILTIN_MODELS_DIR = join(__dirname, '..', '..', 'models').replace(/app\.asar(?=[\\/]|$)/, 'app.asar.unpacked');

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
  const pathGrants = options.mode === 'electron' ? new PathGrants() : null;
  const env: HostEnvironment = {
    mode: options.mode,
    version: appVersion(),
    pickFolder: options.pickFolder,
    pickCocoFile: options.pickCocoFile,
    pickModelFiles: options.pickModelFiles,
    saveCocoFile: options.saveCocoFile,
    pickDatasetPath: options.pickDatasetPath,
    pathGrants: pathGrants ?? undefined,
    recentProjects: new RecentProjects(join(options.userDataDir, 'recent-projects.json')),
  };
  let engine: InferenceEngine | null = null;
  const userModelsDir = join(options.userDataDir, 'models');
  const getEngine = (): InferenceEngine => {
    engine ??= new InferenceEngine({
      roots: { builtin: BUILTIN_MODELS_DIR, user: userModelsDir },
      settingsPath: join(options.userDataDir, 'engine-settings.json'),
      // The one project that starts on the built-in demo model (see demoProject.ts).
      demoProjectDir: join(options.userDataDir, 'demo-project'),
      emit: (event, payload) => session.events.emit(event, payload),
      ...options.engine,
    });
    return engine;
  };
  return {
    session,
    dispatch: createDispatch(createHandlers(session, env, getEngine, userModelsDir, BUILTIN_MODELS_DIR)),
    imageBytes: (imageId, kind) => imageBytes(session.requireProject(), imageId, kind),
    pathGrants,
    engine: getEngine,
    close: async () => {
      session.close();
      await engine?.close();
    },
  };
}
