// A COCO file's images → the project's, by relative path, with a size check.
// A photo with an EXIF orientation that swaps its sides (5..8) may be given
// with either size: the displayed one (EXIF applied, the project's own) or the
// stored pixel grid (what loaders that ignore EXIF measure). The latter is
// accepted with a note, and its annotations are turned into display
// coordinates (orientation.ts).
import { containedFile } from '../store/containedPath.js';
import type { Project } from '../store/project.js';
import { refuse } from './importRows.js';
import { type ExifOrientation, readOrientation, swapsAxes } from './orientation.js';
import { imageRowsByPath, type SizedImage, unknownImage, withSizes } from './projectImages.js';
import type { CocoInstances } from './schema.js';

export interface MatchedImage extends SizedImage {
  /** Set when the file gives the stored (raw) size: its annotations are in raw coordinates. */
  rawOrientation?: ExifOrientation;
}

/** COCO image id → project image with a known size; refuses unknown files and size mismatches. */
export async function matchImages(
  project: Project,
  cocoImages: CocoInstances['images'],
  onRead?: (done: number) => void,
): Promise<{ images: Map<number, MatchedImage>; notes: string[] }> {
  const byPath = imageRowsByPath(project);
  const rows = cocoImages.map((image, index) => {
    const row = byPath.get(image.file_name.replace(/\\/g, '/').replace(/^\.\//, ''));
    if (!row) throw unknownImage(image.file_name, index);
    return row;
  });
  const sized = await withSizes(project, rows, onRead);
  const byCocoId = new Map<number, MatchedImage>();
  let raw = 0;
  for (const [index, image] of cocoImages.entries()) {
    const actual: MatchedImage = sized[index]!;
    if (image.width !== actual.width || image.height !== actual.height) {
      const orientation =
        image.width === actual.height && image.height === actual.width
          ? await readOrientation(containedFile(project.dir, actual.relPath)).catch(() => 1 as const)
          : 1;
      if (!swapsAxes(orientation)) {
        throw refuse(
          `images[${index}].width`,
          `"${image.file_name}" is ${actual.width}×${actual.height}, not ${image.width}×${image.height}.`,
        );
      }
      actual.rawOrientation = orientation;
      raw++;
    }
    byCocoId.set(image.id, actual);
  }
  const notes =
    raw > 0
      ? [
          `${raw} image${raw > 1 ? 's are' : ' is'} given with the stored pixel size (EXIF orientation not applied); ` +
            'their annotations were turned to the displayed orientation, which the project uses.',
        ]
      : [];
  return { images: byCocoId, notes };
}

/**
 * Records each image's COCO id (inside the import's transaction). An id that
 * another project image held before goes to this one; answers a note then.
 */
export function storeImageIds(project: Project, cocoImages: CocoInstances['images'], images: ReadonlyMap<number, SizedImage>): string[] {
  const holders = new Map(
    (project.db.prepare('SELECT id, coco_id FROM images WHERE coco_id IS NOT NULL').all() as { id: number; coco_id: number }[]).map(
      (row) => [row.coco_id, row.id],
    ),
  );
  const held = new Map([...holders].map(([cocoId, imageId]) => [imageId, cocoId]));
  const set = project.db.prepare<[number | null, number]>('UPDATE images SET coco_id = ? WHERE id = ?');
  let moved = 0;
  for (const image of cocoImages) {
    const target = images.get(image.id)!;
    const holder = holders.get(image.id);
    if (holder === target.id) continue;
    if (holder !== undefined) {
      set.run(null, holder);
      held.delete(holder);
      moved++;
    }
    set.run(image.id, target.id);
    const previous = held.get(target.id);
    if (previous !== undefined) holders.delete(previous);
    holders.set(image.id, target.id);
    held.set(target.id, image.id);
  }
  return moved > 0
    ? [`${moved} COCO image id${moved > 1 ? 's' : ''} moved to the images of this file from other images, which get new ids in exports.`]
    : [];
}
