// Child process for diskFull.test.ts, run on its own small tmpfs
// (privateTmpfs.ts): a project is filled with work, then the disk is filled
// to the last byte and every kind of write is tried. Prints one JSON object.
import { closeSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { AppError, type DocOp } from '../../../../common/contract/index.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { imageBytes } from '../../../../core/store/imageFiles.js';
import { Project } from '../../../../core/store/project.js';
import { writeFileAtomic } from '../../../../files/atomicWrite.js';
import { boxAnnotation, label, writeImage } from './fixtures.js';

const outcome = async (work: () => unknown): Promise<string> => {
  try {
    await work();
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? `${error.code}: ${error.message}` : `raw ${(error as Error).message}`;
  }
};

/** Writes until the file system refuses: then not one more byte fits. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  }
  try {
    for (;;) writeSync(fd, chunk, 0, 1);
  } catch {
    // the last bytes too
  } finally {
    closeSync(fd);
  }
}

async function main(dir: string): Promise<void> {
  const projectDir = join(dir, 'project');
  await writeImage(projectDir, 'a.png', 300, 200);
  const project = Project.open(projectDir);
  const imageId = project.listImages({ offset: 0, limit: 1 }).items[0]!.id;
  await project.getImage(imageId);
  const cat = label({ name: 'cat' });
  const acknowledged = [boxAnnotation(imageId, cat.id), boxAnnotation(imageId, cat.id)];
  project.apply([{ type: 'label.put', label: cat }, ...acknowledged.map((annotation): DocOp => ({ type: 'annotation.put', annotation }))]);

  fillDisk(join(dir, 'filler'));
  const big: DocOp[] = Array.from({ length: 3000 }, () => ({ type: 'annotation.put', annotation: boxAnnotation(imageId, cat.id) }));
  const result = {
    apply: await outcome(() => project.apply(big)),
    export: await outcome(() => exportCoco(project, { outPath: join(dir, 'out.json') })),
    atomicWrite: await outcome(() => writeFileAtomic(join(dir, 'settings.json'), Buffer.alloc(64 * 1024, 32))),
    thumbnail: await outcome(async () => {
      const { body, contentType } = await imageBytes(project, imageId, 'thumb');
      if (contentType !== 'image/jpeg' || body.length === 0) throw new Error('no thumbnail bytes');
    }),
    leftovers: readdirSync(dir).filter((name) => name.includes('.tmp-')),
    stillReads: await outcome(() => {
      if (project.annotations(imageId).length !== 2) throw new Error('lost the acknowledged annotations');
    }),
    afterSpaceFreed: '',
    reopened: '',
  };
  rmSync(join(dir, 'filler'));
  result.afterSpaceFreed = await outcome(() => project.apply(big.slice(0, 10)));
  project.close();
  result.reopened = await outcome(() => {
    const again = Project.open(projectDir);
    try {
      const ids = new Set(again.annotations(imageId).map((annotation) => annotation.id));
      if (ids.size !== 12 || !acknowledged.every((annotation) => ids.has(annotation.id))) throw new Error(`found ${ids.size} annotations`);
    } finally {
      again.close();
    }
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv[2]!).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
