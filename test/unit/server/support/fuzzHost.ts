// A browser-mode host in its own process for the fuzz test: the real handlers
// on a real project, the real WebSocket server and the process guards that
// `promptlabel serve` installs. It prints {port, token} once listening, so the
// test can also check that no frame ends the process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createHost } from '../../../../core/host/createHost.js';
import { installProcessGuards } from '../../../../core/host/processGuards.js';
import { startBrowserHost } from '../../../../server/server.js';

const [projectDir, userDataDir, token] = process.argv.slice(2);
if (!projectDir || !userDataDir || !token) throw new Error('usage: fuzzHost.ts PROJECT USERDATA TOKEN');

installProcessGuards();
const rendererDir = join(userDataDir, 'renderer');
mkdirSync(rendererDir, { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>fuzz</title>');

async function main(dir: string, secret: string): Promise<void> {
  const host = createHost({ mode: 'browser', userDataDir: userDataDir! });
  const opened = await host.dispatch('project.open', { dir });
  if (!opened.ok) throw new Error(opened.error.message);
  const server = await startBrowserHost({
    port: 0,
    token: secret,
    rendererDir,
    dispatch: host.dispatch,
    events: host.session.events,
    imageBytes: host.imageBytes,
  });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  process.once('SIGTERM', () => void Promise.all([host.close(), server.close()]).then(() => process.exit(0)));
}

main(projectDir, token).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
