// `promptlabel serve`: browser mode. Starts the loopback host, prints its URL
// (with a fresh random token) and opens it in the system browser if asked.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { AppError } from '../common/contract/index.js';
import { createHost } from '../core/host/createHost.js';
import { ensureDemoProject } from '../core/host/demoProject.js';
import { installProcessGuards } from '../core/host/processGuards.js';
import { defaultUserDataDir } from '../core/host/userDataDir.js';
// Through a private launch page: the token never appears in an opener's or browser's arguments.
import { openInBrowser } from './openInBrowser.js';
import { type BrowserHost, startBrowserHost } from './server.js';

export interface ServeOptions {
  port: number;
  project?: string;
  demo: boolean;
  open: boolean;
  /** Repository (or installed app) root holding dist/ and assets/. */
  appRoot: string;
}

export async function serve(options: ServeOptions): Promise<BrowserHost> {
  installProcessGuards();
  const userDataDir = defaultUserDataDir();
  const host = createHost({ mode: 'browser', userDataDir });
  const project =
    options.project ?? (options.demo ? ensureDemoProject(userDataDir, join(options.appRoot, 'assets', 'samples')) : undefined);
  if (project) {
    const opened = await host.dispatch('project.open', { dir: project });
    if (!opened.ok) {
      await host.close();
      throw new AppError(opened.error.code, `Cannot open ${project}: ${opened.error.message}`);
    }
  }
  let server: BrowserHost;
  try {
    server = await startBrowserHost({
      port: options.port,
      token: randomBytes(24).toString('base64url'),
      rendererDir: join(options.appRoot, 'dist', 'renderer'),
      dispatch: host.dispatch,
      events: host.session.events,
      imageBytes: host.imageBytes,
    });
  } catch (error) {
    await host.close();
    throw error;
  }
  console.log(`promptlabel browser mode: ${server.url}`);
  if (options.open) openInBrowser(server.url);
  const shutdown = () => {
    void Promise.all([host.close(), server.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return server;
}
