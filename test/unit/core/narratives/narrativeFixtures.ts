// A project on copies of the sample images, and a narrative recorded on it
// the way the caption panel records one (typing timeline + pointer trace).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Caption, TracePoint } from '../../../../common/contract/index.js';
import { wordsFromTyping } from '../../../../common/narrative/alignment.js';
import { applyTyping, type TimedChar } from '../../../../common/narrative/typing.js';
import { Project } from '../../../../core/store/project.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const SAMPLES = join(ROOT, 'assets', 'samples');

/** A project folder holding copies of the sample images (shapes_0001.jpg …). */
export function sampleProject(dir: string): Project {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(SAMPLES)) if (name.endsWith('.jpg')) copyFileSync(join(SAMPLES, name), join(dir, name));
  return Project.open(dir);
}

/** "a red star" typed while the pointer runs across the image, leaving it once (two trace segments). */
export function recordedCaption(imageId: number, id = 'rec-1'): Caption {
  const trace: TracePoint[][] = [
    Array.from({ length: 60 }, (_, i) => ({ x: 10 + i * 3, y: 40 + i, t: i / 60 })),
    Array.from({ length: 60 }, (_, i) => ({ x: 200 - i, y: 120, t: 1.5 + i / 60 })),
  ];
  let chars: TimedChar[] = [];
  const text = 'A red star.';
  for (let i = 1; i <= text.length; i++) chars = applyTyping(chars, text.slice(0, i), 0.1 + i * 0.17);
  return { id, imageId, text, words: wordsFromTyping(chars, trace), source: 'user', createdAt: 1, updatedAt: 1, trace };
}

/** A model's caption: a point per word, no times, no trace. */
export function modelCaption(imageId: number, id = 'model-1'): Caption {
  return {
    id,
    imageId,
    text: 'a blue circle',
    words: [
      { word: 'a', x: 5, y: 5, t: null },
      { word: 'blue', x: 50, y: 60, t: null },
      { word: 'circle', x: 52, y: 61, t: null },
    ],
    source: 'model:demo',
    createdAt: 2,
    updatedAt: 2,
  };
}
