// `npm run bench -- autolabel`: auto-label speed on this machine, on the
// sample project (24 images) and the built-in model, all 68 labels:
// - images per second of a by-name job, encoder included (a fresh feature
//   cache), and again with the features cached;
// - time per extra label (the decoder takes one text prompt per run here);
// - click → mask p50 on the image on screen while a job runs in the
//   background, against the same clicks with no job (ratio; target ≤ 1.5).
// Figures, not a test: timings depend on the machine and its load.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AutolabelJob } from '../common/contract/index.js';
import { JobRunner } from '../core/autolabel/jobRunner.js';
import { planJob } from '../core/autolabel/jobSpec.js';
import { projectImageSource } from '../core/host/aiHandlers.js';
import { Project } from '../core/store/project.js';
import { InferenceEngine } from '../engine/engine.js';
import { toWorkerPrompt } from '../engine/promptValidation.js';

const ROOT = join(__dirname, '..');
const SAMPLES = join(ROOT, 'assets', 'samples');
const MODEL = 'shapes-seem-tiny';
const CLICKS = 40;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'promptlabel-bench-autolabel-'));
  for (const f of readdirSync(SAMPLES).filter((f) => f.endsWith('.jpg'))) copyFileSync(join(SAMPLES, f), join(dir, f));
  const coco = JSON.parse(readFileSync(join(SAMPLES, 'annotations.coco.json'), 'utf8')) as { categories: { id: number; name: string }[] };
  const project = Project.open(dir);
  project.applyBatch(
    coco.categories.map((c) => ({
      type: 'label.put' as const,
      label: { id: `c${c.id}`, name: c.name, colour: '#336699', hotkey: null, stuff: ['sky', 'water', 'grass', 'sand'].includes(c.name) },
    })),
  );
  const engine = new InferenceEngine({
    roots: { builtin: join(ROOT, 'models'), user: null },
    settingsPath: null,
    settings: { modelId: MODEL, prefetchCount: 0 },
  });
  const images = projectImageSource(project);
  const ids = project.listImages({ offset: 0, limit: 100 }).items.map((i) => i.id);
  const runJob = async (imageIds: number[], onChange?: (job: AutolabelJob) => void) => {
    const runner = new JobRunner(project, () => engine, images, { changed: (job) => onChange?.(job) }, true);
    const started = performance.now();
    await runner.start({ source: 'names', imageIds });
    await runner.idle();
    return (performance.now() - started) / 1000;
  };
  try {
    await engine.loadedModel();
    console.log(`sample project: ${ids.length} images, ${coco.categories.length} labels, model ${MODEL}, points per side 12`);
    const cold = await runJob(ids);
    console.log(
      `by name, encoder included: ${(ids.length / cold).toFixed(2)} images/s (${((cold / ids.length) * 1000).toFixed(0)} ms per image)`,
    );
    const warm = await runJob(ids);
    console.log(
      `by name, features cached:  ${(ids.length / warm).toFixed(2)} images/s (${((warm / ids.length) * 1000).toFixed(0)} ms per image)`,
    );

    // Time per label: the decoder runs of each label's text prompt, measured inside the worker.
    const plan = await planJob(project, engine, images, { source: 'names', minScore: 0.5, nmsIoU: 0.5, pointsPerSide: 12 });
    const perLabel: number[] = [];
    for (const imageId of ids.slice(0, 6)) {
      const answer = await engine.autolabel(images, {
        imageId,
        modelId: plan.modelId,
        spec: plan.spec,
        minScore: 0.5,
        nmsIoU: 0.5,
        everything: { pointsPerSide: 12, minScore: 0.7, minAreaFraction: 0.0005, nmsIoU: 0.7 },
      });
      perLabel.push(...answer.perLabelMs);
    }
    console.log(
      `time per extra label: p50 ${quantile(perLabel, 0.5).toFixed(1)} ms, mean ${(perLabel.reduce((a, b) => a + b, 0) / perLabel.length).toFixed(1)} ms (one text prompt decode + its masks; ${perLabel.length} label runs)`,
    );

    // Clicks on the image on screen (features cached), without and with a job running on the others.
    const onScreen = ids[0]!;
    const size = await images.imageSize(onScreen);
    const click = async (i: number) => {
      const x = ((i * 37) % 90) / 100 + 0.05;
      const y = ((i * 53) % 90) / 100 + 0.05;
      const prompt = await toWorkerPrompt(images, onScreen, {
        clicks: [{ x: x * size.width, y: y * size.height, positive: true }],
        scribbles: [],
      });
      const started = performance.now();
      await engine.segment(images, { imageId: onScreen, prompt });
      return performance.now() - started;
    };
    await click(0);
    const idle: number[] = [];
    for (let i = 0; i < CLICKS; i++) idle.push(await click(i));
    let running = true;
    let done = 0;
    const job = runJob(ids.slice(1), (j) => {
      done = j.done;
      if (j.state !== 'running') running = false;
    });
    const busy: number[] = [];
    // Wait until the job is in its decoder runs, then click at a human pace.
    while (done < 1 && running) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < CLICKS && running; i++) {
      busy.push(await click(i));
      await new Promise((r) => setTimeout(r, 150));
    }
    await job;
    const p50Idle = quantile(idle, 0.5);
    const p50Busy = quantile(busy, 0.5);
    console.log(
      `click → mask p50: ${p50Idle.toFixed(1)} ms without a job, ${p50Busy.toFixed(1)} ms while a by-name job runs (ratio ${(p50Busy / p50Idle).toFixed(2)}, target ≤ 1.5; p95 ${quantile(idle, 0.95).toFixed(1)} / ${quantile(busy, 0.95).toFixed(1)} ms; ${busy.length} clicks)`,
    );
  } finally {
    await engine.close();
    project.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
