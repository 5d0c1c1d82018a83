// The names of the preprocessing rules a model manifest can state. A model
// only works as well as its input matches what its authors fed it, and each
// family's reference code resizes and reads colours its own way, so the rule
// is data in the manifest, not a guess in the code. No sharp or onnxruntime
// here: the registry (main process) validates manifests with these names.
import { z } from 'zod';

/**
 * How an image becomes the model's input grid, stated by every model kind's
 * manifest as `preprocessing.resize`. Each rule is implemented in this
 * folder and matches its reference implementation byte for byte (uint8
 * rules) or to float rounding (the float rule); test/fixtures/preprocess
 * holds the reference values:
 *
 * - `pillow-bilinear`: Segment Anything's ResizeLongestSide (longest side to
 *   S, `int(x·s + 0.5)` sizes), resampled as Pillow's `Image.resize(…,
 *   BILINEAR)` does: antialiased triangle filter of support max(1, scale),
 *   horizontal pass then vertical pass, 22-bit fixed point, uint8 between
 *   passes (pillowResize.ts). Then zero padding bottom/right to S × S.
 * - `sharp-linear`: the same frame, resized by sharp/libvips `kernel:
 *   'linear'` (the rule this app used before manifests stated one; kept for
 *   the built-in model, whose figures were measured with it).
 * - `stretch-bilinear-antialias`: SAM 2's rule: float 0–1, stretched to
 *   S × S (aspect not kept), torch `interpolate(mode='bilinear',
 *   antialias=True, align_corners=False)`, ImageNet mean/std
 *   (antialiasResize.ts).
 * - `letterbox`: Ultralytics YOLO's LetterBox: scale r = min(S/H, S/W),
 *   OpenCV INTER_LINEAR resize (8-bit fixed point), centred on a 114 grey
 *   S × S canvas, /255 (opencvResize.ts, letterbox.ts).
 */
export const RESIZE_RULES = ['pillow-bilinear', 'sharp-linear', 'stretch-bilinear-antialias', 'letterbox'] as const;
export type ResizeRule = (typeof RESIZE_RULES)[number];

/**
 * Which pixel values are read from the file:
 * - `stored`: the values as stored, whatever colour profile the file is
 *   tagged with (what PIL's `np.array(Image.open(p).convert('RGB'))` and
 *   `cv2.imread` give: the reference code of SAM, SAM 2 and YOLO);
 * - `srgb`: converted to sRGB through the embedded ICC profile (sharp's
 *   default, the app's rule before manifests stated one).
 * Neither applies EXIF orientation: annotation coordinates refer to the
 * stored pixels everywhere in the app.
 */
export const COLOUR_RULES = ['stored', 'srgb'] as const;
export type ColourRule = (typeof COLOUR_RULES)[number];

export const colourRule = z.enum(COLOUR_RULES, {
  error: () =>
    `must be "stored" (pixel values as stored in the file, as PIL and OpenCV read them) or "srgb" (converted through the embedded colour profile)`,
});

/** Whether `value` is one of `allowed` (a type guard, so no cast is needed). */
function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

/**
 * A manifest's `preprocessing.resize` for a model kind that accepts the
 * rules in `allowed`, `fallback` when absent. Manifests written before the
 * field named a rule used it for a free-text description ("longest side to
 * inputSize, bilinear", as the built-in model's and the SAM-format test
 * fixture's did, when such fields were documented as ignored): a value with a space in it
 * is read as such a description and gets the fallback, so those manifests
 * keep working. Any other unknown value is an error naming the rules.
 */
export function resizeRuleField<T extends ResizeRule>(allowed: readonly T[], fallback: T, why: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx): T => {
      if (value === undefined || /\s/.test(value)) return fallback;
      if (isOneOf(allowed, value)) return value;
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a resize rule this model kind takes: use ${allowed.map((r) => `"${r}"`).join(' or ')} (${why})`,
      });
      return z.NEVER;
    });
}
