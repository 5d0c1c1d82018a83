// Projects and comparisons for the dataset-format tests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import type { Annotation, DocOp, Geometry } from '../../../../common/contract/index.js';
import { rasterisePolygons } from '../../../../common/geometry/polygon.js';
import { maskToRle } from '../../../../common/geometry/rle.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, label, writeImage } from '../store/fixtures.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'formats');

/** A project folder holding blank images of the given sizes. */
export async function projectWithImages(dir: string, images: Record<string, [number, number]>): Promise<Project> {
  for (const [relPath, [width, height]] of Object.entries(images)) {
    await writeImage(dir, relPath, width, height, relPath.endsWith('.jpg') ? 'jpeg' : 'png');
  }
  return Project.open(dir);
}

/** Every annotation of the project with its image path and label name, sorted, for comparisons up to order. */
export function projectAnnotations(project: Project): { image: string; label: string | null; geometry: Geometry; source: string }[] {
  const labels = new Map(project.labels().map((l) => [l.id, l.name]));
  const images = project.listImages({ offset: 0, limit: 10_000 }).items;
  return images
    .flatMap((image) =>
      project.annotations(image.id).map((a: Annotation) => ({
        image: image.relPath,
        label: a.labelId === null ? null : (labels.get(a.labelId) ?? '?'),
        geometry: a.geometry,
        source: a.source,
      })),
    )
    .sort((a, b) => `${a.image}${a.label}${JSON.stringify(a.geometry)}`.localeCompare(`${b.image}${b.label}${JSON.stringify(b.geometry)}`));
}

export const countAnnotations = (project: Project) =>
  (project.db.prepare('SELECT COUNT(*) AS n FROM annotations').get() as { n: number }).n;

/** Every file under `dir` (relative, '/' separated) with its bytes. */
export function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (sub: string) => {
    for (const name of readdirSync(sub)) {
      const path = join(sub, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path).split('\\').join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** A project with a box, a two-part polygon, a polygon with a hole and a mask (the kinds every export must handle). */
export async function annotatedProject(dir: string): Promise<Project> {
  const project = await projectWithImages(dir, { 'a.png': [40, 30], 'sub/b.jpg': [32, 24] });
  const [a, b] = project.listImages({ offset: 0, limit: 10 }).items.map((i) => i.id) as [number, number];
  await project.getImage(a);
  await project.getImage(b);
  const cat = label({ name: 'cat' });
  const dog = label({ name: 'dog' });
  const mask = maskToRle(rasterisePolygons([{ outer: [4, 4, 20, 4, 20, 18, 4, 18], holes: [] }], 24, 32), 24, 32);
  const ops: DocOp[] = [
    { type: 'label.put', label: cat },
    { type: 'label.put', label: dog },
    { type: 'annotation.put', annotation: boxAnnotation(a, cat.id, { geometry: { kind: 'box', box: { x: 2, y: 3, w: 10, h: 8 } } }) },
    {
      type: 'annotation.put',
      annotation: boxAnnotation(a, dog.id, {
        geometry: {
          kind: 'polygon',
          polygons: [
            { outer: [20, 2, 38, 2, 30, 12], holes: [] },
            { outer: [20, 20, 30, 20, 30, 28, 20, 28], holes: [] },
          ],
        },
      }),
    },
    {
      type: 'annotation.put',
      annotation: boxAnnotation(b, cat.id, {
        geometry: { kind: 'polygon', polygons: [{ outer: [1, 1, 28, 1, 28, 20, 1, 20], holes: [[8, 8, 14, 8, 14, 14, 8, 14]] }] },
      }),
    },
    { type: 'annotation.put', annotation: boxAnnotation(b, dog.id, { geometry: { kind: 'mask', rle: mask } }) },
  ];
  project.apply(ops);
  return project;
}
