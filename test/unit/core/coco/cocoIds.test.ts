// cocoIds: kept ids first (the first claim wins), own ids where free, then
// ids after the largest; an image id taken over by a later file moves.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { cocoIds } from '../../../../core/coco/cocoIds.js';
import { importCoco } from '../../../../core/coco/import.js';
import { Project } from '../../../../core/store/project.js';
import { label, tempDir, writeImage } from '../store/fixtures.js';

test('collisions: the first label keeps a shared id, images fall back to free ids, a later file takes an image id over', async () => {
  const temp = tempDir();
  for (const name of ['a.png', 'b.png', 'c.png']) await writeImage(temp.dir, name, 8, 8);
  const project = Project.open(temp.dir);
  try {
    const ids = () => project.listImages({ offset: 0, limit: 10 }).items.map((i) => i.id) as [number, number, number];
    const [a, b, c] = ids();
    assert.deepEqual([a, b, c], [1, 2, 3]);
    const file = (name: string, images: { id: number; file_name: string }[], categories: { id: number; name: string }[]) => {
      const path = join(temp.dir, name);
      writeFileSync(path, JSON.stringify({ images: images.map((i) => ({ ...i, width: 8, height: 8 })), categories, annotations: [] }));
      return path;
    };
    // c.png is image 2 in the file: b.png's own id 2 is taken, so b gets the next id after the largest.
    await importCoco(project, file('one.json', [{ id: 2, file_name: 'c.png' }], [{ id: 5, name: 'cat' }]));
    await importCoco(project, file('two.json', [], [{ id: 5, name: 'dog' }]));
    project.apply([{ type: 'label.put', label: label({ name: 'new' }) }]);
    const first = cocoIds(project);
    const labelId = (name: string) => project.labels().find((l) => l.name === name)!.id;
    assert.deepEqual(
      ['cat', 'dog', 'new'].map((name) => first.categoryOf.get(labelId(name))),
      [5, 6, 7],
    );
    assert.deepEqual([first.imageOf.get(a), first.imageOf.get(b), first.imageOf.get(c)], [1, 3, 2]);

    // A later file gives id 2 to a.png: c.png loses it (and is told), and falls back to its own id 3; b.png then to 4.
    const moved = await importCoco(project, file('three.json', [{ id: 2, file_name: 'a.png' }], []));
    assert.match(moved.notes.join(' '), /1 COCO image id moved to the images of this file from other images/);
    const second = cocoIds(project);
    assert.deepEqual([second.imageOf.get(a), second.imageOf.get(b), second.imageOf.get(c)], [2, 4, 3]);
    assert.equal(new Set(second.imageOf.values()).size, 3, 'ids stay distinct');
  } finally {
    project.close();
    temp.cleanup();
  }
});
