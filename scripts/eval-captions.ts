// `npm run eval:captions -- [MODEL_DIR] [--scenes N]`: a model's caption
// head and phrase grounding on held-out shapes-world scenes (EVAL_SEED, never
// trained on), through the app's own path (InferenceEngine -> worker ->
// ai.caption / ai.segment). Figures, not a test:
// - greedy point accuracy: in the caption the app shows, the words of each
//   object phrase ("a small red circle") that names one object of the scene
//   have their point inside that object (model-frame id map);
// - object-phrase recall and exact match of the whole-image caption;
// - box -> caption exact match: the box of each uniquely named object gives
//   "a <size> <colour> <shape>";
// - phrase -> box as the app's Find does it (common/narrative/findPhrase.ts):
//   whether the caption head's point for "<size> <colour> <shape>" is inside
//   the object, and the box of the mask Find picks against the object's box
//   (IoU); and the phrase as a text prompt alone, for comparison;
// - ms per caption (cached features) and per phrase.
// The scenes are models/training/caption_head_data.py's (--idmaps), written
// once to $TMPDIR/promptlabel-eval-captions.
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { type Box, type PromptSetInput, promptSetSchema } from '../common/contract/index.js';
import { findPhrase } from '../common/narrative/findPhrase.js';
import { type ImageSource, InferenceEngine } from '../engine/engine.js';
import { toWorkerPrompt } from '../engine/promptValidation.js';
import { cachedScenes, mean, median, modelRoot } from './evalSupport.js';

const ROOT = join(__dirname, '..');
const EVAL_SEED = 2000;
const SIZES = new Set(['tiny', 'small', 'medium', 'large', 'huge']);

interface Target {
  id: number;
  cat: number;
  size?: string;
  colour?: string;
  shape?: string;
  unique?: boolean;
  box: [number, number, number, number];
}
interface SceneMeta {
  image: string;
  hw: [number, number];
  rhw: [number, number];
  objs: Target[];
}

/** The held-out scenes (caption_head_data.py --idmaps), written on first use. */
function scenesDir(count: number): string {
  return cachedScenes({
    cache: 'promptlabel-eval-captions',
    key: `shapes-${EVAL_SEED}-${count}`,
    script: 'caption_head_data.py',
    args: [String(count), '--seed', String(EVAL_SEED), '--idmaps'],
    sources: ['scene_stream.py', 'wide_world.py', 'shapes_world.py', 'captions.py', 'prompts.py', 'common.py'],
    needs: 'numpy and Pillow',
  });
}

function boxIoU(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = iw * ih;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** "a size colour shape" phrases of a word list, with the index of their first word. */
function objectPhrases(words: readonly string[]): { at: number; size: string; colour: string; shape: string }[] {
  const out = [];
  for (let i = 0; i + 3 < words.length; i++)
    if ((words[i] === 'a' || words[i] === 'an') && SIZES.has(words[i + 1]!))
      out.push({ at: i + 1, size: words[i + 1]!, colour: words[i + 2]!, shape: words[i + 3]! });
  return out;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { scenes: { type: 'string', default: '60' } }, allowPositionals: true });
  const modelDir = resolve(positionals[0] ?? join(ROOT, 'models', 'shapes-seem-tiny'));
  const dir = scenesDir(Number(values.scenes));
  const scenes = readFileSync(join(dir, 'meta.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SceneMeta);
  const { root, info } = await modelRoot(modelDir);
  if (!info.capabilities.caption) throw new Error(`${info.id} has no caption head`);
  const engine = new InferenceEngine({ roots: { builtin: root, user: null }, settingsPath: null, emit: () => undefined });
  const source: ImageSource = {
    cacheDir: null,
    imagePath: (id) => join(dir, 'images', scenes[id - 1]!.image),
    imageSize: async (id) => ({ width: scenes[id - 1]!.hw[1], height: scenes[id - 1]!.hw[0] }),
    labels: () => [],
  };
  const point: number[] = [];
  const recall: number[] = [];
  const exact: number[] = [];
  const boxCaption: number[] = [];
  const phraseBox: number[] = [];
  const phrasePoint: number[] = [];
  const phraseBoxByText: number[] = [];
  let byTextFallback = 0;
  const captionMs: number[] = [];
  const phraseMs: number[] = [];
  try {
    for (const [i, scene] of scenes.entries()) {
      const imageId = i + 1;
      const s = scene.rhw[1] / scene.hw[1];
      const idmap = await sharp(join(dir, 'idmaps', scene.image))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const owner = (x: number, y: number) => {
        const mx = Math.floor(x * s);
        const my = Math.floor(y * s);
        return mx < 0 || my < 0 || mx >= idmap.info.width || my >= idmap.info.height
          ? 0
          : idmap.data[(my * idmap.info.width + mx) * idmap.info.channels]!;
      };
      const named = scene.objs.filter((o) => o.cat >= 0 && o.size && o.colour && o.shape);
      const uniqueIn = (p: { size: string; colour: string; shape: string }) => {
        const hits = named.filter((o) => o.size === p.size && o.colour === p.colour && o.shape === p.shape);
        return hits.length === 1 ? hits[0]! : null;
      };
      const caption = await engine.caption(source, { imageId, modelId: info.id });
      captionMs.push(caption.timing.captionMs);
      const words = caption.words.map((w) => w.word);
      for (const p of objectPhrases(words)) {
        const object = uniqueIn(p);
        if (!object) continue;
        for (const w of caption.words.slice(p.at, p.at + 3)) point.push(owner(w.x, w.y) === object.id ? 1 : 0);
      }
      const wanted = named.map((o) => `${o.size} ${o.colour} ${o.shape}`);
      const said = new Set(objectPhrases(words).map((p) => `${p.size} ${p.colour} ${p.shape}`));
      recall.push(wanted.length ? wanted.filter((w) => said.has(w)).length / wanted.length : 1);
      exact.push(wanted.every((w) => said.has(w)) && said.size === new Set(wanted).size ? 1 : 0);
      for (const o of named) {
        if (!uniqueIn({ size: o.size!, colour: o.colour!, shape: o.shape! })) continue;
        // the model-frame box in image pixels, kept inside the image (the division may overshoot by a rounding error)
        const [width, height] = [scene.hw[1], scene.hw[0]];
        const x0 = Math.max(0, o.box[0] / s);
        const y0 = Math.max(0, o.box[1] / s);
        const gt: Box = { x: x0, y: y0, w: Math.min(width, o.box[2] / s) - x0, h: Math.min(height, o.box[3] / s) - y0 };
        const described = await engine.caption(source, { imageId, modelId: info.id, box: [gt.x, gt.y, gt.x + gt.w, gt.y + gt.h] });
        boxCaption.push(described.words.map((w) => w.word).join(' ') === `a ${o.size} ${o.colour} ${o.shape}` ? 1 : 0);
        const phrase = `${o.size} ${o.colour} ${o.shape}`;
        // The renderer's Find (findPhrase, the same code); the text prompt alone beside it for comparison.
        const started = performance.now();
        const segment = async (prompts: PromptSetInput) =>
          engine.segment(source, {
            imageId,
            modelId: info.id,
            prompt: await toWorkerPrompt(source, imageId, promptSetSchema.parse(prompts)),
          });
        const answer = await findPhrase(phrase, {
          locate: async () => {
            const { x, y } = (await engine.caption(source, { imageId, modelId: info.id, phrase })).words.at(-1)!;
            phrasePoint.push(owner(x, y) === o.id ? 1 : 0);
            return { x, y };
          },
          segment,
          describes: async (boxes) => (await engine.phraseScores(source, { imageId, modelId: info.id, phrase, boxes })).scores,
          text: info.capabilities.text,
        });
        phraseMs.push(performance.now() - started);
        phraseBox.push(answer ? boxIoU(answer.best.box, gt) : 0);
        if (answer?.point === null) byTextFallback++;
        const text = await toWorkerPrompt(source, imageId, { clicks: [], scribbles: [], text: phrase });
        const byText = await engine.segment(source, { imageId, modelId: info.id, prompt: text });
        const bestByText = byText.candidates[byText.best];
        phraseBoxByText.push(bestByText ? boxIoU(bestByText.box, gt) : 0);
      }
    }
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
  const f = (v: number[]) => `${mean(v).toFixed(3)} (n=${v.length})`;
  console.log(`${info.id} on ${scenes.length} held-out shapes-world scenes (seed ${EVAL_SEED}), the app's path:`);
  console.log(`  greedy point accuracy (object-phrase words inside their object)  ${f(point)}   target >= 0.85`);
  console.log(`  whole-image caption: object-phrase recall ${f(recall)}, all phrases right ${f(exact)}`);
  console.log(`  box -> caption exact ("a size colour shape")                       ${f(boxCaption)}`);
  console.log(`  phrase -> point inside the object (caption head)                  ${f(phrasePoint)}`);
  console.log(`  phrase -> box IoU, the app's Find (its click's masks, ranked)     ${f(phraseBox)}   target >= 0.80`);
  console.log(`    (${byTextFallback} of them found by the text prompt: no mask with pixels under the point)`);
  console.log(`  phrase -> box IoU, the phrase as a text prompt instead             ${f(phraseBoxByText)}`);
  console.log(
    `  ms per caption (cached features) median ${median(captionMs).toFixed(1)}; per phrase (point + mask) median ${median(phraseMs).toFixed(1)}`,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
