// Test helpers: read the sample COCO ground truth as binary masks
// (polygons rasterised through sharp's SVG renderer, uncompressed RLE
// decoded column-major), and find a click point inside a mask.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';
import { z } from 'zod';

import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { farthestInteriorPoint } from '../../../engine/evaluation/clickSimulation.js';

export const SAMPLES_DIR = join(__dirname, '..', '..', '..', 'assets', 'samples');
export const MODEL_DIR = join(__dirname, '..', '..', '..', 'models', 'shapes-seem-tiny');

const rle = z.object({ size: z.tuple([z.number(), z.number()]), counts: z.array(z.number()) });
const annotation = z.object({
  id: z.number(),
  image_id: z.number(),
  category_id: z.number(),
  segmentation: z.union([z.array(z.array(z.number())), rle]),
  area: z.number(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  phrase: z.string(),
  referring: z.string().optional(),
  referring_unique: z.boolean().optional(),
});
const coco = z.object({
  images: z.array(z.object({ id: z.number(), file_name: z.string(), width: z.number(), height: z.number() })),
  annotations: z.array(annotation),
  categories: z.array(z.object({ id: z.number(), name: z.string(), isthing: z.number() })),
});
export type CocoSamples = z.infer<typeof coco>;
export type CocoAnnotation = z.infer<typeof annotation>;

export async function readSamples(): Promise<CocoSamples> {
  return coco.parse(JSON.parse(await readFile(join(SAMPLES_DIR, 'annotations.coco.json'), 'utf8')));
}

export async function annotationMask(ann: CocoAnnotation, width: number, height: number): Promise<BinaryMask> {
  const seg = ann.segmentation;
  if (!Array.isArray(seg)) {
    const data = new Uint8Array(width * height);
    let pos = 0;
    let val = 0;
    for (const run of seg.counts) {
      for (let k = 0; k < run; k++, pos++) {
        const y = pos % height; // column-major
        const x = Math.floor(pos / height);
        data[y * width + x] = val;
      }
      val ^= 1;
    }
    return { width, height, data };
  }
  const paths = seg.map((poly) => {
    const pts: string[] = [];
    for (let i = 0; i + 1 < poly.length; i += 2) pts.push(`${poly[i]},${poly[i + 1]}`);
    return `<polygon points="${pts.join(' ')}" fill="white"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="black"/>${paths.join('')}</svg>`;
  const raw = await sharp(Buffer.from(svg)).removeAlpha().greyscale().raw().toBuffer();
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (raw[i] ?? 0) > 127 ? 1 : 0;
  return { width, height, data };
}

/** The interior point farthest from the boundary (the first click of the standard protocol). */
export function interiorPoint(m: BinaryMask): { x: number; y: number } {
  const p = farthestInteriorPoint(m);
  if (!p) throw new Error('empty mask has no interior point');
  return { x: p.x, y: p.y };
}

/**
 * The objects the model tests probe, chosen by a fixed rule rather than by
 * hand: in each of the first `images` sample images, the largest object whose
 * category is unique there.
 */
export function probeObjects(coco: CocoSamples, images = 4): { image: CocoSamples['images'][number]; ann: CocoAnnotation }[] {
  const out: { image: CocoSamples['images'][number]; ann: CocoAnnotation }[] = [];
  for (const image of coco.images.slice(0, images)) {
    const anns = coco.annotations.filter((a) => a.image_id === image.id && a.referring !== undefined);
    const unique = anns.filter((a) => anns.filter((b) => b.category_id === a.category_id).length === 1);
    const ann = unique.sort((a, b) => b.area - a.area)[0];
    if (ann) out.push({ image, ann });
  }
  return out;
}
