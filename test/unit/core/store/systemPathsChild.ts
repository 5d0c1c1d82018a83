// Child process for ensureDir.test.ts: asks a real host for the requests that
// used to spin forever in mkdirSync(…, {recursive: true}) and prints each
// answer as one JSON line. The parent kills it if it does not finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createHost } from '../../../../core/host/createHost.js';
import { writeImage } from './fixtures.js';

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-syspaths-'));
  const host = createHost({ mode: 'browser', userDataDir: join(root, 'user-data') });
  try {
    for (const dir of ['/proc', '/proc/self', '/sys', '/dev', '/']) {
      process.stdout.write(`${JSON.stringify({ request: `open ${dir}`, result: await host.dispatch('project.open', { dir }) })}\n`);
    }
    await writeImage(join(root, 'project'), 'a.png', 4, 4);
    const opened = await host.dispatch('project.open', { dir: join(root, 'project') });
    if (!opened.ok) throw new Error(opened.error.message);
    for (const outPath of ['/proc/newdir/x.json', '/proc/x.json', '/sys/newdir/x.json', '/dev/newdir/x.json']) {
      process.stdout.write(
        `${JSON.stringify({ request: `export ${outPath}`, result: await host.dispatch('coco.export', { outPath }) })}\n`,
      );
    }
  } finally {
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
