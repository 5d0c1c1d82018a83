// The real sample photographs in assets/photos and their hand-drawn ground
// truth: the COCO file passes the app's own import checks, every image is
// there at its stated size, every outline is a simple polygon inside its
// image with the stated area and bbox, and every photo has a licence row.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import sharp from 'sharp';

import { convertSegmentation } from '../../../../core/coco/annotationGeometry.js';
import { importCoco } from '../../../../core/coco/import.js';
import { assertUniqueIds, parseWith, readJsonFile } from '../../../../core/coco/readJson.js';
import { type CocoInstances, cocoInstancesSchema } from '../../../../core/coco/schema.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';

const PHOTOS_DIR = join(__dirname, '..', '..', '..', '..', 'assets', 'photos');
const COCO_PATH = join(PHOTOS_DIR, 'annotations.coco.json');
/** Outlines were placed vertex by vertex along the boundary; a ring this sparse would be a rough sketch, not ground truth. */
const MIN_VERTICES_PER_RING = 40;

function loadCoco(): CocoInstances {
  const coco = parseWith(cocoInstancesSchema, readJsonFile(COCO_PATH), 'COCO instances');
  assertUniqueIds(coco.images, 'images');
  assertUniqueIds(coco.categories, 'categories');
  assertUniqueIds(coco.annotations, 'annotations');
  return coco;
}

type Point = readonly [number, number];

function ringPoints(ring: readonly number[]): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < ring.length; i += 2) points.push([ring[i]!, ring[i + 1]!]);
  return points;
}

/** Twice the signed area of the triangle a-b-c: its sign says on which side of a→b the point c lies. */
const cross = (a: Point, b: Point, c: Point) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);

/** Proper crossing of segments p1-p2 and p3-p4 (touching at an end point does not count). */
function segmentsCross(p1: Point, p2: Point, p3: Point, p4: Point): boolean {
  return cross(p3, p4, p1) * cross(p3, p4, p2) < 0 && cross(p1, p2, p3) * cross(p1, p2, p4) < 0;
}

/** Index pairs of non-adjacent edges that cross each other. */
function selfCrossings(points: readonly Point[]): [number, number][] {
  const crossings: [number, number][] = [];
  const n = points.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // the closing edge shares a vertex with the first one
      if (segmentsCross(points[i]!, points[(i + 1) % n]!, points[j]!, points[(j + 1) % n]!)) crossings.push([i, j]);
    }
  }
  return crossings;
}

/** File name → licence cell of the table rows in LICENSES.md. */
function licenceRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(PHOTOS_DIR, 'LICENSES.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // "| file | subject | licence | author | where |" splits into an empty cell, five cells and an empty cell.
    if (cells.length !== 7 || cells[1] === 'File' || /^-+$/.test(cells[1]!)) continue;
    rows.set(cells[1]!, cells[3]!);
  }
  return rows;
}

test('the photos ground truth parses with the COCO import schema and has one annotation per object on every image', () => {
  const coco = loadCoco();
  assert.equal(coco.images.length, 6);
  assert.ok(coco.annotations.length >= coco.images.length, 'at least one object per photo');
  const categoryIds = new Set(coco.categories.map((category) => category.id));
  const imageIds = new Set(coco.images.map((image) => image.id));
  for (const annotation of coco.annotations) {
    assert.ok(imageIds.has(annotation.image_id), `annotation ${annotation.id}: unknown image ${annotation.image_id}`);
    assert.ok(categoryIds.has(annotation.category_id), `annotation ${annotation.id}: unknown category ${annotation.category_id}`);
    assert.ok(Array.isArray(annotation.segmentation), `annotation ${annotation.id}: ground truth is drawn as polygons`);
    assert.equal(annotation.iscrowd, 0, `annotation ${annotation.id}: iscrowd`);
  }
  for (const image of coco.images) {
    assert.ok(
      coco.annotations.some((annotation) => annotation.image_id === image.id),
      `${image.file_name} has no annotation`,
    );
  }
  for (const category of coco.categories) {
    assert.ok(
      coco.annotations.some((annotation) => annotation.category_id === category.id),
      `category ${category.name} is never used`,
    );
  }
});

test('every photo exists at the size the COCO file states', async () => {
  for (const image of loadCoco().images) {
    const path = join(PHOTOS_DIR, image.file_name);
    assert.ok(existsSync(path), `${image.file_name} is missing`);
    const { width, height } = await sharp(path).metadata();
    assert.deepEqual([width, height], [image.width, image.height], image.file_name);
  }
});

test('every outline is a dense, simple polygon inside its image, with the stated area and bbox', () => {
  const coco = loadCoco();
  const images = new Map(coco.images.map((image) => [image.id, image]));
  coco.annotations.forEach((annotation, index) => {
    const image = images.get(annotation.image_id)!;
    const where = `${image.file_name} annotation ${annotation.id}`;
    // The importer's own geometry check: refuses any vertex outside the image (and clips none, drops no ring).
    const notes = { clipped: 0, degenerateRings: 0 };
    const converted = convertSegmentation(annotation, index, image.width, image.height, notes);
    assert.ok(converted !== null, where);
    assert.deepEqual(notes, { clipped: 0, degenerateRings: 0 }, where);
    assert.equal(converted.kind, 'polygon', where);
    const rings = annotation.segmentation as number[][];
    for (const ring of rings) {
      const points = ringPoints(ring);
      assert.ok(points.length >= MIN_VERTICES_PER_RING, `${where}: only ${points.length} vertices`);
      assert.deepEqual(selfCrossings(points), [], `${where}: the outline crosses itself`);
    }
    assert.ok(
      typeof annotation.area === 'number' && Math.abs(annotation.area - converted.area) <= 1,
      `${where}: area ${String(annotation.area)} vs ${converted.area}`,
    );
    const bbox = annotation.bbox!;
    converted.bbox.forEach((value, k) =>
      assert.ok(Math.abs(value - bbox[k]!) <= 0.05, `${where}: bbox ${JSON.stringify(bbox)} vs ${JSON.stringify(converted.bbox)}`),
    );
  });
});

test('every photo has a permissive licence row in LICENSES.md', () => {
  const rows = licenceRows();
  for (const image of loadCoco().images) {
    const licence = rows.get(image.file_name);
    assert.ok(licence !== undefined, `no licence row for ${image.file_name}`);
    assert.match(licence, /\b(CC0|Public domain)\b/i, `${image.file_name}: licence "${licence}"`);
  }
});

test('the ground truth imports into a project holding copies of the photos', async () => {
  const coco = loadCoco();
  const temp = tempDir();
  try {
    for (const image of coco.images) copyFileSync(join(PHOTOS_DIR, image.file_name), join(temp.dir, image.file_name));
    const project = Project.open(temp.dir);
    try {
      const summary = await importCoco(project, COCO_PATH);
      assert.deepEqual(
        [summary.images, summary.annotations, summary.categoriesAdded, summary.captions, summary.notes],
        [coco.images.length, coco.annotations.length, coco.categories.length, 0, []],
      );
      assert.deepEqual(
        project
          .labels()
          .map((label) => label.name)
          .sort(),
        coco.categories.map((category) => category.name).sort(),
      );
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});
