// Every refusal: AppError('invalid_file') whose message and path name the
// offending field, and the project is left exactly as it was.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { AppError } from '../../../../common/contract/index.js';
import { importCoco } from '../../../../core/coco/import.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { writeProjectImages } from './cocoFixtures.js';

const temp = tempDir();
let project: Project;
before(async () => {
  await writeProjectImages(temp.dir);
  project = Project.open(temp.dir);
});
after(() => {
  project.close();
  temp.cleanup();
});

/** A valid file: image a.png is 20×10. */
function validCoco() {
  return {
    images: [
      { id: 1, file_name: 'a.png', width: 20, height: 10 },
      { id: 2, file_name: 'sub/c.png', width: 16, height: 16 },
    ],
    categories: [
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, segmentation: [[1, 1, 5, 1, 5, 5]] },
      { id: 2, image_id: 2, category_id: 2, segmentation: { size: [16, 16], counts: [10, 5, 241] } },
    ],
  };
}
type Coco = ReturnType<typeof validCoco> & Record<string, unknown>;

function state() {
  const images = project.listImages({ offset: 0, limit: 10 }).items;
  return { labels: project.labels(), images, annotations: images.map((image) => project.annotations(image.id)) };
}

let fileCounter = 0;
async function expectRefusal(content: string | ((coco: Coco) => void), path: string, message: RegExp): Promise<void> {
  const file = join(temp.dir, `bad-${++fileCounter}.json`);
  if (typeof content === 'string') {
    writeFileSync(file, content);
  } else {
    const coco = validCoco() as Coco;
    content(coco);
    writeFileSync(file, JSON.stringify(coco));
  }
  const before = state();
  await assert.rejects(importCoco(project, file), (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'invalid_file');
    assert.equal(error.path, path);
    assert.ok(error.message.includes(path), `"${error.message}" names ${path}`);
    assert.match(error.message, message);
    return true;
  });
  assert.deepEqual(state(), before, 'nothing was written');
}

test('the valid baseline imports (so the refusals below are about their one defect)', async () => {
  const other = tempDir();
  await writeProjectImages(other.dir);
  const fresh = Project.open(other.dir);
  try {
    const file = join(other.dir, 'good.json');
    writeFileSync(file, JSON.stringify(validCoco()));
    const summary = await importCoco(fresh, file);
    assert.deepEqual([summary.images, summary.annotations, summary.categoriesAdded, summary.notes], [2, 2, 2, []]);
  } finally {
    fresh.close();
    other.cleanup();
  }
});

test('malformed JSON', async () => {
  const file = join(temp.dir, 'broken.json');
  writeFileSync(file, '{"images": [');
  const before = state();
  await assert.rejects(
    importCoco(project, file),
    (error: unknown) => error instanceof AppError && error.code === 'invalid_file' && /not valid JSON/.test(error.message),
  );
  assert.deepEqual(state(), before);
});

test('a missing file', async () => {
  await assert.rejects(
    importCoco(project, join(temp.dir, 'nope.json')),
    (error: unknown) => error instanceof AppError && error.code === 'invalid_file',
  );
});

test('schema error names the field', () =>
  expectRefusal(
    (coco) => {
      (coco.annotations[1] as Record<string, unknown>).category_id = 'two';
    },
    'annotations[1].category_id',
    /number/,
  ));

test('odd polygon coordinate count', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[0]!.segmentation = [[1, 1, 5, 1, 5, 5, 2]];
    },
    'annotations[0].segmentation[0]',
    /even number/,
  ));

test('unknown image file', () =>
  expectRefusal(
    (coco) => {
      coco.images[1]!.file_name = 'missing.png';
    },
    'images[1].file_name',
    /not an image of this project/,
  ));

test('image size differs from the file', () =>
  expectRefusal(
    (coco) => {
      coco.images[0]!.width = 21;
    },
    'images[0].width',
    /20×10/,
  ));

test('annotation on an image id not in "images"', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.image_id = 99;
    },
    'annotations[1].image_id',
    /image 99/,
  ));

test('unknown category_id', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.category_id = 42;
    },
    'annotations[1].category_id',
    /category 42/,
  ));

test('duplicate image ids', () =>
  expectRefusal(
    (coco) => {
      coco.images[1]!.id = 1;
    },
    'images[1].id',
    /already used by images\[0\]/,
  ));

test('duplicate annotation ids', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.id = 1;
    },
    'annotations[1].id',
    /already used/,
  ));

test('duplicate category ids', () =>
  expectRefusal(
    (coco) => {
      coco.categories[1]!.id = 1;
    },
    'categories[1].id',
    /already used/,
  ));

test('polygon outside the image', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[0]!.segmentation = [[1, 1, 25, 1, 5, 5]];
    },
    'annotations[0].segmentation[0]',
    /outside the 20×10 image/,
  ));

test('RLE size differs from the image size', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.segmentation = { size: [16, 15], counts: [10, 5, 225] };
    },
    'annotations[1].segmentation.size',
    /differs from the image size/,
  ));

test('uncompressed RLE whose runs do not cover the image', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.segmentation = { size: [16, 16], counts: [10, 5, 240] };
    },
    'annotations[1].segmentation.counts',
    /add up to 255/,
  ));

test('compressed RLE of the wrong length', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.segmentation = { size: [16, 16], counts: '::' } as never;
    },
    'annotations[1].segmentation.counts',
    /add up to 20/,
  ));

test('bad compressed RLE string', () =>
  expectRefusal(
    (coco) => {
      coco.annotations[1]!.segmentation = { size: [16, 16], counts: 'ab c' } as never;
    },
    'annotations[1].segmentation.counts',
    /bad compressed RLE/,
  ));
