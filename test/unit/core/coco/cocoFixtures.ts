// A small annotated project with every geometry kind, and helpers to compare
// COCO files "up to ids and order".
import { readFileSync } from 'node:fs';

import type { DocOp } from '../../../../common/contract/index.js';
import { rasterisePolygons } from '../../../../common/geometry/polygon.js';
import { maskToRle } from '../../../../common/geometry/rle.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, caption, label, writeImage } from '../store/fixtures.js';

export async function writeProjectImages(dir: string): Promise<void> {
  await writeImage(dir, 'a.png', 20, 10);
  await writeImage(dir, 'b.jpg', 30, 20, 'jpeg');
  await writeImage(dir, 'sub/c.png', 16, 16);
}

/** Opens the folder as a project and annotates it with boxes, polygons (with and without holes), masks and captions. */
export async function annotatedProject(dir: string): Promise<Project> {
  await writeProjectImages(dir);
  const project = Project.open(dir);
  const [a, b, c] = project.listImages({ offset: 0, limit: 10 }).items.map((i) => i.id) as [number, number, number];
  const cat = label({ name: 'cat' });
  const dog = label({ name: 'dog' });
  const maskC = rasterisePolygons([{ outer: [2, 2, 12, 3, 8, 14], holes: [] }], 16, 16);
  const ops: DocOp[] = [
    { type: 'label.put', label: cat },
    { type: 'label.put', label: dog },
    { type: 'annotation.put', annotation: boxAnnotation(a, cat.id, { geometry: { kind: 'box', box: { x: 1, y: 1, w: 5, h: 4 } } }) },
    {
      type: 'annotation.put',
      annotation: boxAnnotation(a, dog.id, {
        score: 0.75,
        geometry: {
          kind: 'polygon',
          polygons: [
            { outer: [10, 1, 19, 1, 15, 9], holes: [] },
            { outer: [0, 6, 4, 6, 4, 9.5], holes: [] },
          ],
        },
      }),
    },
    {
      type: 'annotation.put',
      annotation: boxAnnotation(b, cat.id, {
        geometry: { kind: 'polygon', polygons: [{ outer: [2, 2, 22, 2, 22, 18, 2, 18], holes: [[6, 6, 10, 6, 10, 10, 6, 10]] }] },
      }),
    },
    { type: 'annotation.put', annotation: boxAnnotation(c, dog.id, { geometry: { kind: 'mask', rle: maskToRle(maskC, 16, 16) } }) },
    { type: 'annotation.put', annotation: boxAnnotation(c, null) },
    {
      type: 'caption.put',
      caption: caption(a, {
        text: 'a cat and a dog',
        words: [
          { word: 'cat', x: 3, y: 3, t: 0.5 },
          { word: 'dog', x: 15, y: 4, t: 1.2 },
        ],
      }),
    },
    { type: 'caption.put', caption: caption(b, { text: 'plain caption', words: [] }) },
  ];
  await project.getImage(a);
  await project.getImage(b);
  await project.getImage(c);
  project.apply(ops);
  return project;
}

export interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; [key: string]: unknown }[];
  categories: { id: number; name: string; supercategory?: string }[];
  [key: string]: unknown;
}

export const readCoco = (path: string): CocoFile => JSON.parse(readFileSync(path, 'utf8')) as CocoFile;

/** The file with ids replaced by names/paths and lists sorted, for comparison up to ids and order. */
export function normaliseCoco(coco: CocoFile) {
  const fileOf = new Map(coco.images.map((image) => [image.id, image.file_name]));
  const nameOf = new Map(coco.categories.map((category) => [category.id, category.name]));
  const annotations = coco.annotations.map(({ id: _id, image_id, category_id, ...rest }) => ({
    image: fileOf.get(image_id),
    category: nameOf.get(category_id),
    ...rest,
  }));
  return {
    images: coco.images.map(({ id: _id, ...rest }) => rest).sort((x, y) => x.file_name.localeCompare(y.file_name)),
    categories: coco.categories.map(({ id: _id, ...rest }) => rest).sort((x, y) => x.name.localeCompare(y.name)),
    annotations: annotations.map((a) => JSON.stringify(a)).sort(),
  };
}
