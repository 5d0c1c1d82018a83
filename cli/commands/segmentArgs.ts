// `promptlabel segment` arguments → a validated request: the prompt set in
// the contract's shape (so the CLI refuses exactly what the app refuses),
// or none for a detector (which takes no prompt; its thresholds and the
// segmenter to chain instead), the images, the candidate choice and where
// results go. Everything here is syntax; checks that need the image
// (coordinates inside it) or the model happen later, with messages that
// still name the option at fault.
import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { z } from 'zod';

import {
  AppError,
  type ExecutionProviderChoice,
  executionProviderSchema,
  type PromptSet,
  type PromptSetInput,
  promptSetSchema,
  type SegmentOptions,
} from '../../common/contract/index.js';
import { UsageError } from './types.js';

export const SEGMENT_USAGE = [
  'promptlabel segment (--image PATH)... [PATH...] [--model ID]',
  '      [--point X,Y[,LABEL]]... [--box X1,Y1,X2,Y2] [--scribble "X,Y X,Y ..."[:neg]]... [--text PHRASE]',
  '      [--ref-image PATH (--ref-box X1,Y1,X2,Y2 | --ref-scribble "X,Y X,Y ...")]',
  '      [--tolerance N] [--labels "name,name,..."] [--candidate best|all|N] [--provider auto|cpu|cuda|dml|coreml|webgpu]',
  '      (--out mask.png|result.json | --out-dir DIR --format png|json)',
  'promptlabel segment (--image PATH)... --model DETECTOR [--chain SAM_MODEL] [--conf N] [--iou N] [--max-det N]',
  '      [--labels "name,name,..."] (--out result.json | --out-dir DIR --format json)',
  '    Coordinates are image pixels (x right, y down). LABEL 1 = positive (default), 0 = negative;',
  '    a scribble ending in :neg is negative. Without --model: the best model installed (SAM family,',
  '    then the foreground model, then the classical tools). A detector (YOLO) takes no prompts: it',
  '    lists boxes, classes and scores (masks from a -seg model, or from the --chain SAM-family model).',
  '    Exit codes: 0 ok, 1 failure, 2 bad arguments.',
].join('\n');

export type OutputFormat = 'png' | 'json';
/** Which candidates to write: the preselected one, all of them, or one by index. */
export type CandidateChoice = { kind: 'best' } | { kind: 'all' } | { kind: 'index'; index: number };

export interface SegmentOutput {
  imagePath: string;
  outPath: string;
  format: OutputFormat;
}

/** A detector run's options (all optional: the model's own thresholds otherwise). */
export interface DetectArgs {
  chainModelId?: string;
  conf?: number;
  iou?: number;
  maxDetections?: number;
}

export interface SegmentArgs {
  outputs: SegmentOutput[];
  modelId: string | undefined;
  /** Prompts as the contract takes them; the reference (if any) points at REFERENCE_IMAGE_ID. Null when none was given (a detector's run). */
  prompts: PromptSet | null;
  detect: DetectArgs;
  referenceImagePath: string | null;
  /** Names to match candidates against; null = the model's own vocabulary. */
  labels: string[] | null;
  candidate: CandidateChoice;
  provider: ExecutionProviderChoice | undefined;
  /** Provider options that are not prompts (the magic wand's tolerance). */
  options: SegmentOptions;
}

/** Image ids in the CLI's image source: the segmented images are 1..n, the reference image n + 1. */
export const referenceImageId = (imageCount: number): number => imageCount + 1;

const OPTIONS = {
  image: { type: 'string', multiple: true },
  model: { type: 'string' },
  point: { type: 'string', multiple: true },
  box: { type: 'string' },
  scribble: { type: 'string', multiple: true },
  text: { type: 'string' },
  'ref-image': { type: 'string' },
  'ref-box': { type: 'string' },
  'ref-scribble': { type: 'string' },
  labels: { type: 'string' },
  tolerance: { type: 'string' },
  candidate: { type: 'string' },
  provider: { type: 'string' },
  out: { type: 'string' },
  'out-dir': { type: 'string' },
  format: { type: 'string' },
  chain: { type: 'string' },
  conf: { type: 'string' },
  iou: { type: 'string' },
  'max-det': { type: 'string' },
} as const;

function parseNumber(text: string, option: string, whole: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${option} "${whole}": "${text}" is not a number.`);
  return value;
}

function parseNumbers(text: string, count: number, option: string, shape: string): number[] {
  const parts = text.split(',');
  if (parts.length !== count) throw new UsageError(`${option} "${text}" must be ${shape}.`);
  return parts.map((part) => parseNumber(part, option, text));
}

/** "X,Y" or "X,Y,LABEL" with LABEL 1 (positive) or 0 (negative). */
export function parsePoint(text: string): { x: number; y: number; positive: boolean } {
  const parts = text.split(',');
  if (parts.length !== 2 && parts.length !== 3)
    throw new UsageError(`--point "${text}" must be X,Y or X,Y,LABEL (LABEL 1 = positive, 0 = negative).`);
  const [x, y] = parts.slice(0, 2).map((part) => parseNumber(part, '--point', text)) as [number, number];
  const label = parts[2]?.trim() ?? '1';
  if (label !== '1' && label !== '0')
    throw new UsageError(`--point "${text}": LABEL must be 1 (positive) or 0 (negative), not "${label}".`);
  return { x, y, positive: label === '1' };
}

export function parseBox(text: string, option: string): [number, number, number, number] {
  return parseNumbers(text, 4, option, 'X1,Y1,X2,Y2') as [number, number, number, number];
}

/** "X,Y X,Y ..." (spaces or semicolons between points). */
export function parseStroke(text: string, option: string): [number, number][] {
  const tokens = text.split(/[\s;]+/).filter((token) => token !== '');
  if (tokens.length === 0) throw new UsageError(`${option} needs at least one X,Y point.`);
  return tokens.map((token) => parseNumbers(token, 2, option, 'a list of X,Y points') as [number, number]);
}

/** A stroke, optionally ending in ":neg" (negative) or ":pos" (the default). */
export function parseScribble(text: string): { points: [number, number][]; positive: boolean } {
  const match = /^(.*?):(neg|pos)\s*$/i.exec(text);
  const points = parseStroke(match ? match[1]! : text, '--scribble');
  return { points, positive: match ? match[2]!.toLowerCase() === 'pos' : true };
}

export function parseCandidate(text: string | undefined): CandidateChoice {
  if (text === undefined || text === 'best') return { kind: 'best' };
  if (text === 'all') return { kind: 'all' };
  if (/^\d+$/.test(text)) return { kind: 'index', index: Number(text) };
  throw new UsageError(`--candidate must be best, all or a candidate index (0, 1, ...), not "${text}".`);
}

export function parseLabels(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  const names = [
    ...new Set(
      text
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
  if (names.length === 0) throw new UsageError('--labels needs at least one name (comma-separated).');
  return names;
}

function formatOf(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.json') return 'json';
  throw new UsageError(`--out "${path}" must end in .png (a binary mask) or .json (candidates with RLE, box, score and labels).`);
}

function outputsOf(images: string[], out: string | undefined, outDir: string | undefined, format: string | undefined): SegmentOutput[] {
  if (out !== undefined && outDir !== undefined) throw new UsageError('Give --out or --out-dir, not both.');
  if (out !== undefined) {
    if (images.length > 1) {
      // Naming them shows an unquoted phrase read as paths (`--text red circle`).
      const named = images
        .slice(0, 4)
        .map((path) => `"${path}"`)
        .join(', ');
      throw new UsageError(
        `Several images (${named}${images.length > 4 ? ', ...' : ''}) need --out-dir DIR --format png|json (one file per image).`,
      );
    }
    if (format !== undefined) throw new UsageError('--format goes with --out-dir; with --out the extension decides.');
    return [{ imagePath: images[0]!, outPath: resolve(out), format: formatOf(out) }];
  }
  if (outDir === undefined) throw new UsageError('--out FILE.png|FILE.json (or --out-dir DIR --format png|json) is required.');
  if (format !== 'png' && format !== 'json')
    throw new UsageError(`--out-dir needs --format png or --format json${format ? `, not "${format}"` : ''}.`);
  const seen = new Map<string, string>();
  return images.map((imagePath) => {
    const name = `${basename(imagePath, extname(imagePath))}.${format}`;
    const other = seen.get(name);
    if (other) throw new UsageError(`${other} and ${imagePath} would both be written to ${name}; segment them in separate runs.`);
    seen.set(name, imagePath);
    return { imagePath, outPath: resolve(outDir, name), format };
  });
}

/** A missing input is a failure (exit 1) rather than bad syntax, but found before the model loads. */
function checkFile(path: string, option: string): string {
  const full = resolve(path);
  if (!existsSync(full) || !statSync(full).isFile()) throw new AppError('not_found', `${option} "${path}": no such file.`);
  return full;
}

/** The option a contract path such as "scribbles[2].points[5]" came from, for error messages. */
export function optionForPromptPath(path: readonly PropertyKey[] | string): string {
  const parts =
    typeof path === 'string'
      ? path
          .replace(/^prompts\./, '')
          .split(/[.[\]]+/)
          .filter(Boolean)
      : path.map(String);
  const [head, second, third, fourth] = parts;
  const nth = (index: string | undefined): string => (index !== undefined && /^\d+$/.test(index) ? ` #${Number(index) + 1}` : '');
  switch (head) {
    case 'clicks':
      return `--point${nth(second)}`;
    case 'box':
      return '--box';
    case 'scribbles':
      return `--scribble${nth(second)}${third === 'points' && fourth !== undefined ? `, point ${Number(fourth) + 1}` : ''}`;
    case 'text':
      return '--text';
    case 'reference':
      return second === 'box' ? '--ref-box' : second === 'points' ? '--ref-scribble' : '--ref-image';
    default:
      return 'prompts';
  }
}

function promptProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${optionForPromptPath(issue.path)}: ${issue.message}`).join('; ');
}

/** The refusal of a run without prompts on a model that needs them (the contract's own message). */
export function noPromptError(): UsageError {
  const parsed = promptSetSchema.safeParse({ clicks: [], scribbles: [] });
  return new UsageError(parsed.success ? 'Give at least one prompt.' : promptProblems(parsed.error));
}

function parseFraction(text: string, option: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`${option} must be a number from 0 to 1, not "${text}".`);
  return value;
}

function parseDetectArgs(values: { chain?: string; conf?: string; iou?: string; 'max-det'?: string }): DetectArgs {
  const out: DetectArgs = {};
  if (values.chain !== undefined) {
    if (values.chain.trim() === '') throw new UsageError('--chain needs a SAM-family model id (see `promptlabel models`).');
    out.chainModelId = values.chain;
  }
  if (values.conf !== undefined) out.conf = parseFraction(values.conf, '--conf');
  if (values.iou !== undefined) out.iou = parseFraction(values.iou, '--iou');
  if (values['max-det'] !== undefined) {
    const n = Number(values['max-det']);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw new UsageError(`--max-det must be a whole number from 1 to 1000, not "${values['max-det']}".`);
    out.maxDetections = n;
  }
  return out;
}

export function parseSegmentArgs(args: string[]): SegmentArgs {
  // Extra image paths may follow the options, so a shell glob works: `segment --text "red circle" --out-dir out --format json shots/*.jpg`.
  const { values, positionals } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  const images = [...(values.image ?? []), ...positionals];
  if (images.length === 0) throw new UsageError('--image PATH (or image paths after the options) is required.');
  const outputs = outputsOf(images, values.out, values['out-dir'], values.format);
  for (const output of outputs) output.imagePath = checkFile(output.imagePath, '--image');

  const refImage = values['ref-image'];
  const refBox = values['ref-box'];
  const refScribble = values['ref-scribble'];
  if (refImage === undefined && (refBox !== undefined || refScribble !== undefined))
    throw new UsageError('--ref-box and --ref-scribble need --ref-image PATH.');
  if (refImage !== undefined && refBox === undefined && refScribble === undefined)
    throw new UsageError('--ref-image needs --ref-box or --ref-scribble (the region to look for).');

  const input: PromptSetInput = {
    clicks: (values.point ?? []).map(parsePoint),
    scribbles: (values.scribble ?? []).map(parseScribble),
  };
  if (values.box !== undefined) input.box = parseBox(values.box, '--box');
  if (values.text !== undefined) input.text = values.text;
  if (refImage !== undefined) {
    input.reference = {
      imageId: referenceImageId(images.length),
      ...(refBox !== undefined ? { box: parseBox(refBox, '--ref-box') } : {}),
      ...(refScribble !== undefined ? { points: parseStroke(refScribble, '--ref-scribble') } : {}),
    };
  }
  const noPrompt =
    input.clicks!.length === 0 &&
    input.scribbles!.length === 0 &&
    input.box === undefined &&
    input.text === undefined &&
    input.reference === undefined;
  const parsed = noPrompt ? null : promptSetSchema.safeParse(input);
  if (parsed && !parsed.success) throw new UsageError(promptProblems(parsed.error));
  const detect = parseDetectArgs(values);
  if (parsed && Object.keys(detect).length > 0)
    throw new UsageError(
      '--chain, --conf, --iou and --max-det go with a detector, which takes no prompts (--point, --box, --scribble, --text, --ref-image).',
    );

  let provider: ExecutionProviderChoice | undefined;
  if (values.provider !== undefined) {
    const choice = executionProviderSchema.safeParse(values.provider);
    if (!choice.success)
      throw new UsageError(`--provider must be one of ${executionProviderSchema.options.join(', ')}, not "${values.provider}".`);
    provider = choice.data;
  }
  const candidate = parseCandidate(values.candidate);
  if (candidate.kind === 'all' && outputs.some((o) => o.format === 'png')) {
    throw new UsageError('--candidate all writes several masks: use a .json output (or pick one candidate for a .png).');
  }
  if (values.model !== undefined && values.model.trim() === '')
    throw new UsageError('--model needs a model id (see `promptlabel models`).');
  const options: SegmentOptions = {};
  if (values.tolerance !== undefined) {
    const tolerance = Number(values.tolerance);
    if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 255)
      throw new UsageError(`--tolerance must be a number from 0 to 255, not "${values.tolerance}".`);
    options.tolerance = tolerance;
    if (parsed?.data.box) options.within = parsed.data.box;
  }

  return {
    outputs,
    modelId: values.model,
    prompts: parsed ? parsed.data : null,
    detect,
    referenceImagePath: refImage === undefined ? null : checkFile(refImage, '--ref-image'),
    labels: parseLabels(values.labels),
    candidate,
    options,
    provider,
  };
}
