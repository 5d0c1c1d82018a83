// Contract prompts -> worker prompts, refusing what the model cannot use:
// points and boxes must lie inside their image by the contract's rule
// (isInsideImage, isCornerInsideImage; the renderer applies the same one):
// a click outside is a UI or script bug, and silently clamping would segment
// the wrong thing.
import { AppError, isCornerInsideImage, isInsideImage, type PromptSet } from '../common/contract/index.js';
import type { ImageSource } from './engine.js';
import type { WorkerPrompt } from './protocol.js';

interface Size {
  width: number;
  height: number;
}

function checkPoint(x: number, y: number, size: Size, path: string, inside = isInsideImage): void {
  if (!inside(x, y, size.width, size.height)) {
    throw new AppError(
      'bad_request',
      `${path}: point (${round(x)}, ${round(y)}) is outside the image (${size.width}×${size.height}).`,
      path,
    );
  }
}

const round = (v: number) => Math.round(v * 10) / 10;

function checkBox(box: readonly [number, number, number, number], size: Size, path: string): [number, number, number, number] {
  checkPoint(box[0], box[1], size, path, isCornerInsideImage);
  checkPoint(box[2], box[3], size, path, isCornerInsideImage);
  return [box[0], box[1], box[2], box[3]];
}

export async function toWorkerPrompt(source: ImageSource, imageId: number, prompts: PromptSet): Promise<WorkerPrompt> {
  const size = await source.imageSize(imageId);
  prompts.clicks.forEach((c, i) => checkPoint(c.x, c.y, size, `prompts.clicks[${i}]`));
  prompts.scribbles.forEach((s, i) => s.points.forEach(([x, y], j) => checkPoint(x, y, size, `prompts.scribbles[${i}].points[${j}]`)));
  const prompt: WorkerPrompt = {
    clicks: prompts.clicks.map((c) => ({ ...c })),
    scribbles: prompts.scribbles.map((s) => ({
      points: s.points.map(([x, y]): [number, number] => [x, y]),
      positive: s.positive,
      region: s.region,
    })),
  };
  if (prompts.box) prompt.box = checkBox(prompts.box, size, 'prompts.box');
  if (prompts.text !== undefined) prompt.text = prompts.text;
  const ref = prompts.reference;
  if (ref) {
    const refSize = await source.imageSize(ref.imageId);
    prompt.reference = {
      regions: [
        {
          image: { imageId: ref.imageId, path: source.imagePath(ref.imageId), cacheDir: source.cacheDir },
          box: ref.box ? checkBox(ref.box, refSize, 'prompts.reference.box') : undefined,
          points: ref.points?.map(([x, y], j): [number, number] => {
            checkPoint(x, y, refSize, `prompts.reference.points[${j}]`);
            return [x, y];
          }),
        },
      ],
    };
  }
  return prompt;
}
