// `npm run eval:worlds -- MODEL_DIR [MODEL_DIR...] [--objects N] [--worlds shapes,heldout] [--json PATH]`:
// promptable-segmenter model folders (ONNX, e.g. the shipped
// models/shapes-seem-tiny and a v2 export) on the built-in model's own
// evaluation worlds, measured the same way, through the app's own inference
// path (InferenceEngine -> worker -> onnxruntime, the app's image decoding,
// resize, candidate masks, best pick and label guesses). Figures, not a test.
//
// The scenes are evaluate.py's: scene_for(EVAL_SEED, index, world), whole
// scenes until at least N objects of >= 20 pixels, stuff left out, written
// once by models/training/make_eval_split.py --world (cached in
// $TMPDIR/promptlabel-eval-worlds, keyed by world, count and the generator's
// source). Per object, as in evaluate.py: first click at the interior point
// farthest from the boundary, correction clicks at the centre of the largest
// error region with the previous mask fed back, up to 20 clicks, stopping at
// IoU 0.90 (NoC@85 and NoC@90; 20 when not reached); box = the mask's tight
// box; text = the referring phrase, for named objects whose phrase is unique;
// label top-1 = the 1-click mask's top label among every category name of the
// model's manifest (labels.all), for named objects.
// The "unnamed" rows (evaluate.py's family_* figures) count the objects
// outside the 64 names: in heldout, only the held-out families crescent /
// arc / gear; the shapes world has none.
//
// Where it differs from evaluate.py (PyTorch weights; this reads ONNX only):
// - the candidate is the one the app preselects (sharpest mask, then predicted
//   IoU: engine pickBest), not evaluate.py's highest predicted IoU; the
//   1-click figure under evaluate.py's rule is printed too ("1-click, max pred IoU");
// - the first and correction clicks come from engine/evaluation/clickSimulation.ts
//   (chamfer distance) rather than an exact Euclidean distance transform, so
//   a click may land on another pixel of equal depth;
// - the label guess is the app's cosine similarity (evaluate.py's dot product
//   of the same unit-length embeddings: the same ranking up to rounding);
// - masks are the app's (its resize back to image size), not postprocess_masks;
// - not measured here: scribbles, reference regions, stuff, captions.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { type CandidateSet, type ModelInfo, promptSetSchema } from '../common/contract/index.js';
import type { BinaryMask } from '../common/geometry/binaryMask.js';
import { maskIoU } from '../common/geometry/binaryMask.js';
import { rleToMask } from '../common/geometry/rle.js';
import { type ImageSource, InferenceEngine } from '../engine/engine.js';
import { correctionClick, farthestInteriorPoint, type SimulatedClick } from '../engine/evaluation/clickSimulation.js';
import { clicksToReach, readWorldSplit, type WorldObject, type WorldSplit } from '../engine/evaluation/worldSplit.js';
import { toWorkerPrompt } from '../engine/promptValidation.js';
import type { WorkerLabel } from '../engine/protocol.js';
import { readManifest } from '../engine/worker/models/segmenter/manifest.js';
import { cachedScenes, mean, median, modelRoot } from './evalSupport.js';

/** What the scenes depend on: a change to any of these writes the split again. */
const GENERATOR_FILES = ['coco_io.py', 'wide_world.py', 'shapes_world.py', 'common.py'];
const WORLDS = ['shapes', 'train', 'heldout'] as const;
const MAX_CLICKS = 20;

type World = (typeof WORLDS)[number];

interface Figures {
  model: string;
  world: string;
  scenes: number;
  objects: number;
  click1: number[];
  click1MaxPred: number[];
  unnamedClick1: number[];
  unnamedBox: number[];
  noc85: number[];
  noc90: number[];
  box: number[];
  text: number[];
  label: number[];
  /** Decoder time per prompt (totalMs - encodeMs), and encoder time per image. */
  promptMs: number[];
  encodeMs: number[];
  cpuS: number;
  wallS: number;
  note: string;
}

/** The split's folder (make_eval_split.py), written on first use. */
function splitDir(world: World, objects: number): string {
  return cachedScenes({
    cache: 'promptlabel-eval-worlds',
    key: `${world}-${objects}`,
    script: 'make_eval_split.py',
    args: ['--world', world, '--objects', String(objects)],
    sources: GENERATOR_FILES,
    needs: 'numpy, Pillow and scikit-image',
  });
}

/** The model folder on its own root; a promptable segmenter. */
async function segmenterRoot(dir: string): Promise<{ root: string; info: ModelInfo }> {
  const found = await modelRoot(dir);
  if (found.info.kind !== 'segmenter') throw new Error(`${dir}: a ${found.info.kind} model; this evaluates promptable segmenters`);
  return found;
}

async function evaluateWorld(
  engine: InferenceEngine,
  info: ModelInfo,
  vocabulary: WorkerLabel[],
  split: WorldSplit,
  dir: string,
  figures: Figures,
) {
  let labels: WorkerLabel[] = [];
  const source: ImageSource = {
    cacheDir: null,
    imagePath: (id) => join(dir, split.images.get(id)!.fileName),
    imageSize: async (id) => ({ width: split.images.get(id)!.width, height: split.images.get(id)!.height }),
    labels: () => labels,
  };
  const encoded = new Set<number>();
  const maskOf = async (set: CandidateSet, index: number, like: BinaryMask): Promise<BinaryMask> => {
    const empty = { width: like.width, height: like.height, data: new Uint8Array(like.width * like.height) };
    if (set.candidates[index]!.area === 0) return empty;
    return { ...empty, data: rleToMask((await engine.materialize(set.id, index)).rle) };
  };
  const run = async (o: WorldObject, prompts: unknown, previous?: CandidateSet) => {
    const prompt = await toWorkerPrompt(source, o.imageId, promptSetSchema.parse(prompts));
    const set = await engine.segment(source, {
      imageId: o.imageId,
      prompt,
      previous: previous ? { candidateSetId: previous.id, index: previous.best } : undefined,
    });
    figures.promptMs.push(set.timing.totalMs - set.timing.encodeMs);
    if (!encoded.has(o.imageId) && set.timing.featureSource === 'encoded') figures.encodeMs.push(set.timing.encodeMs);
    encoded.add(o.imageId);
    return { set, mask: await maskOf(set, set.best, o.mask) };
  };
  for (const o of split.objects) {
    figures.objects++;
    // label guesses only where they are scored: the 1-click mask
    labels = o.named && info.capabilities.labels ? vocabulary : [];
    const first = farthestInteriorPoint(o.mask)!;
    const clicks: SimulatedClick[] = [{ x: first.x, y: first.y, positive: true }];
    let result = await run(o, { clicks });
    labels = [];
    const ious = [maskIoU(result.mask, o.mask)];
    figures.click1.push(ious[0]!);
    if (!o.named) figures.unnamedClick1.push(ious[0]!);
    const byScore = result.set.candidates.reduce((b, c, i, all) => ((c.score ?? 0) > (all[b]!.score ?? 0) ? i : b), 0);
    figures.click1MaxPred.push(byScore === result.set.best ? ious[0]! : maskIoU(await maskOf(result.set, byScore, o.mask), o.mask));
    if (o.named && info.capabilities.labels)
      figures.label.push(result.set.candidates[result.set.best]!.labels[0]?.name === o.category ? 1 : 0);
    while (clicks.length < MAX_CLICKS && ious.at(-1)! < 0.9) {
      const next = correctionClick(result.mask, o.mask);
      if (!next) break;
      clicks.push(next);
      result = await run(o, { clicks }, result.set);
      ious.push(maskIoU(result.mask, o.mask));
    }
    figures.noc85.push(clicksToReach(ious, 0.85, MAX_CLICKS));
    figures.noc90.push(clicksToReach(ious, 0.9, MAX_CLICKS));
    figures.box.push(maskIoU((await run(o, { box: o.box })).mask, o.mask));
    if (!o.named) figures.unnamedBox.push(figures.box.at(-1)!);
    if (o.named && o.unique && info.capabilities.text && o.referring) {
      figures.text.push(maskIoU((await run(o, { text: o.referring })).mask, o.mask));
    }
  }
}

async function evaluateModel(dir: string, worlds: World[], objects: number): Promise<Figures[]> {
  const { root, info } = await segmenterRoot(dir);
  const manifest = await readManifest(resolve(dir));
  const vocabulary: WorkerLabel[] = manifest.labels.all.map((name, i) => ({ labelId: `l${i}`, name }));
  const notes: string[] = [];
  if (!info.capabilities.labels) notes.push('no class_embedding: no label figures');
  else if (vocabulary.length === 0) notes.push('manifest has no labels.all: no label figures');
  if (!info.capabilities.text) notes.push('no text encoder: no text figures');
  const engine = new InferenceEngine({
    roots: { builtin: root, user: null },
    settingsPath: null,
    settings: { modelId: info.id, prefetchCount: 0 },
  });
  const out: Figures[] = [];
  try {
    for (const world of worlds) {
      const splitPath = splitDir(world, objects);
      const split = readWorldSplit(splitPath);
      const figures: Figures = {
        model: `${basename(resolve(dir))} (v${manifest.version})`,
        world,
        scenes: split.scenes,
        objects: 0,
        click1: [],
        click1MaxPred: [],
        unnamedClick1: [],
        unnamedBox: [],
        noc85: [],
        noc90: [],
        box: [],
        text: [],
        label: [],
        promptMs: [],
        encodeMs: [],
        cpuS: 0,
        wallS: 0,
        note: notes.join('; '),
      };
      const cpu = process.cpuUsage();
      const started = performance.now();
      await evaluateWorld(engine, info, vocabulary, split, splitPath, figures);
      const used = process.cpuUsage(cpu);
      figures.cpuS = (used.user + used.system) / 1e6;
      figures.wallS = (performance.now() - started) / 1000;
      console.log(
        `  ${figures.model} ${world}: ${figures.objects} objects in ${figures.wallS.toFixed(1)} s (CPU ${figures.cpuS.toFixed(1)} s)`,
      );
      out.push(figures);
    }
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

function table(all: Figures[]): string {
  const f = (v: number, digits = 3) => (Number.isNaN(v) ? '—' : v.toFixed(digits));
  const withN = (v: readonly number[], digits = 3) => (v.length ? `${f(mean(v), digits)} (${v.length})` : '—');
  const rows: [string, (r: Figures) => string][] = [
    ['scenes / objects', (r) => `${r.scenes} / ${r.objects}`],
    ['1-click mIoU (app pick)', (r) => f(mean(r.click1))],
    ['1-click mIoU (max pred IoU)', (r) => f(mean(r.click1MaxPred))],
    ['1-click mIoU, unnamed (n)', (r) => withN(r.unnamedClick1)],
    ['NoC@85 (≤20)', (r) => f(mean(r.noc85), 2)],
    ['NoC@90 (≤20)', (r) => f(mean(r.noc90), 2)],
    ['NoC@90 fails at 20', (r) => String(r.noc90.filter((n) => n >= MAX_CLICKS).length)],
    ['box mIoU', (r) => f(mean(r.box))],
    ['box mIoU, unnamed (n)', (r) => withN(r.unnamedBox)],
    ['text mIoU (n)', (r) => withN(r.text)],
    ['label top-1 (n)', (r) => withN(r.label)],
    ['ms/prompt p50 / mean', (r) => `${f(median(r.promptMs), 1)} / ${f(mean(r.promptMs), 1)}`],
    ['encode ms/image mean', (r) => f(mean(r.encodeMs), 0)],
    ['prompts; CPU s / wall s', (r) => `${r.promptMs.length}; ${r.cpuS.toFixed(0)} / ${r.wallS.toFixed(0)}`],
  ];
  const grid = [['metric', ...all.map((r) => `${r.model} ${r.world}`)], ...rows.map(([name, cell]) => [name, ...all.map(cell)])];
  const widths = grid[0]!.map((_, c) => Math.max(...grid.map((row) => row[c]!.length)));
  const lines = grid.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  const notes = [...new Set(all.filter((r) => r.note).map((r) => `${r.model}: ${r.note}`))];
  return [...lines, ...notes.map((n) => `note: ${n}`)].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      objects: { type: 'string', default: '500' },
      worlds: { type: 'string', default: 'shapes,heldout' },
      json: { type: 'string' },
    },
  });
  const objects = Number(values.objects);
  if (!Number.isInteger(objects) || objects < 1) throw new Error(`--objects: a whole number >= 1, not "${values.objects}"`);
  const worlds = values.worlds.split(',').map((w) => w.trim());
  for (const w of worlds)
    if (!(WORLDS as readonly string[]).includes(w)) throw new Error(`--worlds: "${w}" is not one of ${WORLDS.join(', ')}`);
  if (positionals.length === 0) throw new Error('give one or more model folders, e.g. models/shapes-seem-tiny');
  for (const dir of positionals)
    if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir}: no manifest.json (not a model folder)`);
  console.log(
    `eval:worlds: ${worlds.join(', ')}, at least ${objects} objects each (evaluate.py's scenes, seed EVAL_SEED; ONNX in the app's engine)`,
  );
  const all: Figures[] = [];
  for (const dir of positionals) all.push(...(await evaluateModel(dir, worlds as World[], objects)));
  console.log(table(all));
  if (values.json) {
    const summary = all.map((r) => ({
      model: r.model,
      world: r.world,
      scenes: r.scenes,
      objects: r.objects,
      mIoU_1click: mean(r.click1),
      mIoU_1click_max_pred: mean(r.click1MaxPred),
      unnamed_mIoU_1click: mean(r.unnamedClick1),
      unnamed_n: r.unnamedClick1.length,
      NoC85: mean(r.noc85),
      NoC90: mean(r.noc90),
      NoC90_failures_at_20: r.noc90.filter((n) => n >= MAX_CLICKS).length,
      box_mIoU: mean(r.box),
      unnamed_box_mIoU: mean(r.unnamedBox),
      text_mIoU: r.text.length ? mean(r.text) : null,
      text_n: r.text.length,
      label_top1: r.label.length ? mean(r.label) : null,
      label_n: r.label.length,
      ms_per_prompt_p50: median(r.promptMs),
      encode_ms_mean: mean(r.encodeMs),
      cpu_s: r.cpuS,
      wall_s: r.wallS,
      note: r.note,
    }));
    writeFileSync(values.json, `${JSON.stringify(summary, null, 1)}\n`);
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
