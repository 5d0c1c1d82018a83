// Temp project folders with real (tiny) images made by sharp.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import sharp from 'sharp';

import type { Annotation, Caption, Label } from '../../../../common/contract/index.js';

export function tempDir(prefix = 'promptlabel-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function writeImage(
  dir: string,
  relPath: string,
  width: number,
  height: number,
  format: 'png' | 'jpeg' | 'tiff' | 'webp' = 'png',
): Promise<void> {
  const path = join(dir, relPath);
  mkdirSync(dirname(path), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .toFormat(format)
    .toFile(path);
}

let counter = 0;
export const nextId = (prefix: string) => `${prefix}${++counter}`;

export const label = (overrides: Partial<Label> = {}): Label => ({
  id: nextId('label'),
  name: `label ${counter}`,
  colour: '#ff0000',
  hotkey: null,
  ...overrides,
});

export const boxAnnotation = (imageId: number, labelId: string | null, overrides: Partial<Annotation> = {}): Annotation => ({
  id: nextId('ann'),
  imageId,
  labelId,
  geometry: { kind: 'box', box: { x: 1, y: 2, w: 3, h: 4 } },
  score: null,
  source: 'manual',
  createdAt: 1000 + counter,
  updatedAt: 1000 + counter,
  revision: 0,
  ...overrides,
});

export const caption = (imageId: number, overrides: Partial<Caption> = {}): Caption => ({
  id: nextId('cap'),
  imageId,
  text: 'a red square',
  words: [{ word: 'square', x: 3, y: 4, t: null }],
  source: 'manual',
  createdAt: 5,
  updatedAt: 5,
  ...overrides,
});
