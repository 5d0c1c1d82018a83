// Child process for openChecks.test.ts, run on its own tmpfs (privateTmpfs.ts):
// two folders, one never opened and one already a project, then the mount is
// made read-only and each is opened. Prints one JSON line per folder.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { AppError } from '../../../../common/contract/index.js';
import { Project } from '../../../../core/store/project.js';
import { writeImage } from './fixtures.js';

async function main(dir: string): Promise<void> {
  await writeImage(join(dir, 'fresh'), 'a.png', 4, 4);
  await writeImage(join(dir, 'existing'), 'a.png', 4, 4);
  Project.open(join(dir, 'existing')).close();
  const remount = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  if (remount.status !== 0) throw new Error(`remount failed: ${remount.stderr}`);
  for (const name of ['fresh', 'existing']) {
    try {
      Project.open(join(dir, name)).close();
      process.stdout.write(`${JSON.stringify({ name, opened: true })}\n`);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'not an AppError';
      process.stdout.write(`${JSON.stringify({ name, code, message: (error as Error).message })}\n`);
    }
  }
}

main(process.argv[2]!).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
