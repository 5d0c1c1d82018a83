// Which part of which model family one ONNX graph is, from its signature
// alone (input and output names, element types, shapes, custom metadata),
// never from its file name. The rules follow the families' own exports:
// - Segment Anything / MobileSAM decoder (official SamOnnxModel export);
// - Segment Anything / MobileSAM encoder: one image input, one [1, C, g, g]
//   output; the normalised NCHW [1, 3, S, S] form or the raw-image form
//   ([H, W, 3] float, resize/normalise/pad inside the graph);
// - SAM 2 / 2.1 encoder (image_embed, high_res_feats_0, high_res_feats_1)
//   and decoder (samexporter: no orig_im_size, 256² masks; ibaiGorordo:
//   orig_im_size int32, full-size masks);
// - Ultralytics YOLO v8 / 11 detector and instance segmenter (images →
//   output0 (+ output1)), usual or end-to-end heads.
// A graph that resembles a family but breaks one of its rules gets the
// family's name and what is wrong (a renamed input, a wrong shape), so the
// message can say more than "unknown".
import {
  SAM2_DECODER_INPUTS,
  SAM2_DECODER_OUTPUTS,
  SAM2_ENCODER_OUTPUTS,
  SAM2_ORIG_IM_SIZE,
  type Sam2DecoderFormat,
} from '../worker/models/sam2/manifest.js';
import { SAM_DECODER_INPUTS, SAM_DECODER_OUTPUTS } from '../worker/models/segmenter/manifest.js';
import { YOLO_INPUT, YOLO_OUTPUT, YOLO_PROTOTYPES } from '../worker/models/yolo/manifest.js';
import { describeTensor, type OnnxDim, type OnnxGraphInfo, type OnnxTensor } from './onnxGraph.js';
import { classNamesFrom, parsePythonLiteral } from './pythonLiteral.js';

export interface SamDecoderRole {
  role: 'sam-decoder';
  numMasks: number;
  /** Embedding channels and grid of image_embeddings [1, C, g, g]. */
  channels: number;
  grid: number;
  /** Side of mask_input / low_res_masks. */
  lowResMaskSize: number;
}

export interface SamEncoderRole {
  role: 'sam-encoder';
  /** normalised-nchw: [1, 3, S, S] after the client's resize / normalise / pad; raw-hwc: the resized image [H, W, 3], the rest inside the graph. */
  input: 'normalised-nchw' | 'raw-hwc';
  /** S; for a raw-image encoder, 16 x the grid (SAM's and MobileSAM's 1024 for 64), or its fixed input side. */
  inputSize: number | null;
  /** Embedding channels and grid of the output [1, C, g, g]; null where the export left them symbolic (the decoder's then apply). */
  channels: number | null;
  grid: number | null;
}

export interface Sam2EncoderRole {
  role: 'sam2-encoder';
  inputSize: number;
}

export interface Sam2DecoderRole {
  role: 'sam2-decoder';
  format: Sam2DecoderFormat;
  numMasks: number;
  lowResMaskSize: number;
}

export interface YoloRole {
  role: 'yolo';
  task: 'detect' | 'segment';
  head: 'anchors' | 'end2end';
  inputSize: number;
  /** Classes the head's rows imply; null when output0's shape is symbolic or the head is end-to-end. */
  classCount: number | null;
  maskDims: number;
  /** Class names from the graph's metadata (`names`); null when it has none. */
  names: string[] | null;
}

export type GraphRole = SamDecoderRole | SamEncoderRole | Sam2EncoderRole | Sam2DecoderRole | YoloRole;

/** What one graph was recognised as, or why not. */
export type Classification = { role: GraphRole } | { role: null; message: string };

/** Family names and signatures, for messages. */
export const FAMILY_TEXT = {
  'sam-decoder': 'a Segment Anything / MobileSAM decoder',
  'sam-encoder': 'a Segment Anything / MobileSAM encoder',
  'sam2-encoder': 'a SAM 2 encoder',
  'sam2-decoder': 'a SAM 2 decoder',
  yolo: 'an Ultralytics YOLO detector or instance segmenter',
} as const;

const EXPECTED_TEXT: Record<GraphRole['role'], string> = {
  'sam-decoder': `inputs ${SAM_DECODER_INPUTS.join(', ')} (float32) → outputs ${SAM_DECODER_OUTPUTS.join(', ')}`,
  'sam-encoder': 'one float32 input, [1, 3, S, S] (normalised) or [H, W, 3] (raw image) → one output [1, C, g, g]',
  'sam2-encoder': `input image float32 [1, 3, 1024, 1024] → outputs ${SAM2_ENCODER_OUTPUTS.join(', ')}`,
  'sam2-decoder': `inputs ${SAM2_DECODER_INPUTS.join(', ')} (and ${SAM2_ORIG_IM_SIZE} in the ibaiGorordo format) → outputs ${SAM2_DECODER_OUTPUTS.join(', ')}`,
  yolo: `input ${YOLO_INPUT} float32 [1, 3, S, S] → ${YOLO_OUTPUT} [1, 4 + classes (+ 32), anchors] or [1, 300, 6 (+ 32)] (+ ${YOLO_PROTOTYPES} [1, 32, S/4, S/4] for segmenters)`,
};

export const RECOGNISED_FAMILIES =
  'a Segment Anything or MobileSAM encoder + decoder pair (official decoder export), a SAM 2 / 2.1 encoder + decoder pair (samexporter or ibaiGorordo format), or an Ultralytics YOLO v8 / 11 detector or instance segmenter (format=onnx)';

/** A family check's verdict: not this family at all (null), a match, or a near miss with what is wrong. */
type Verdict = null | { role: GraphRole } | { family: GraphRole['role']; resemblance: number; problems: string[] };

const isNumber = (d: OnnxDim | undefined): d is number => typeof d === 'number';

/** Where a tensor's shape breaks a pattern (null: any dimension); null when it fits or the graph gives no shape. */
function shapeProblem(t: OnnxTensor, pattern: readonly (number | null)[]): string | null {
  if (!t.shape) return null;
  const fits = t.shape.length === pattern.length && t.shape.every((d, i) => !isNumber(d) || pattern[i] === null || d === pattern[i]);
  return fits ? null : `${describeTensor(t)} should be [${pattern.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

function typeProblem(t: OnnxTensor, types: readonly string[]): string | null {
  return types.includes(t.type) ? null : `${t.name} is ${t.type}, expected ${types.join(' or ')}`;
}

function byName(tensors: readonly OnnxTensor[]): Map<string, OnnxTensor> {
  return new Map(tensors.map((t) => [t.name, t]));
}

/** Missing expected names, with the graph's actual names so a renamed tensor shows. */
function missingNames(kind: 'input' | 'output', expected: readonly string[], actual: Map<string, OnnxTensor>): string[] {
  const missing = expected.filter((n) => !actual.has(n));
  if (!missing.length) return [];
  const others = [...actual.keys()].filter((n) => !expected.includes(n));
  const list = missing.map((n) => `"${n}"`).join(', ');
  const instead = others.length ? ` (it has ${others.map((n) => `"${n}"`).join(', ')} instead)` : '';
  return [`${missing.length > 1 ? `${kind}s ${list} are` : `${kind} ${list} is`} missing${instead}`];
}

function resemblance(expected: readonly string[], info: OnnxGraphInfo): number {
  const names = new Set([...info.inputs, ...info.outputs].map((t) => t.name));
  return expected.filter((n) => names.has(n)).length / expected.length;
}

function verdict(family: GraphRole['role'], score: number, problems: string[], role: () => GraphRole): Verdict {
  return problems.length ? { family, resemblance: score, problems } : { role: role() };
}

function samDecoder(info: OnnxGraphInfo): Verdict {
  const score = resemblance([...SAM_DECODER_INPUTS, ...SAM_DECODER_OUTPUTS], info);
  if (score < 0.5) return null;
  const inputs = byName(info.inputs);
  const outputs = byName(info.outputs);
  const problems = [...missingNames('input', SAM_DECODER_INPUTS, inputs), ...missingNames('output', SAM_DECODER_OUTPUTS, outputs)];
  const extra = info.inputs.filter((t) => !(SAM_DECODER_INPUTS as readonly string[]).includes(t.name));
  if (extra.length && !problems.length)
    problems.push(`it has input(s) ${extra.map((t) => `"${t.name}"`).join(', ')} that the official export does not`);
  for (const name of SAM_DECODER_INPUTS) {
    const t = inputs.get(name);
    const p = t && typeProblem(t, ['float32']);
    if (p) problems.push(p);
  }
  const emb = inputs.get('image_embeddings');
  const embShape = emb?.shape ?? [];
  const [channels, grid] = [embShape[1], embShape[2]];
  if (emb && (embShape.length !== 4 || !isNumber(channels) || !isNumber(grid) || embShape[3] !== grid))
    problems.push(`${describeTensor(emb)} should be [1, C, g, g] with numbers`);
  const maskInput = inputs.get('mask_input');
  const lowRes = maskInput?.shape?.[2];
  if (maskInput && (!isNumber(lowRes) || shapeProblem(maskInput, [1, 1, lowRes, lowRes])))
    problems.push(`${describeTensor(maskInput)} should be [1, 1, L, L] with a number L`);
  const iou = outputs.get('iou_predictions');
  const masks = outputs.get('masks');
  const k = [iou?.shape?.[1], masks?.shape?.[1]].find(isNumber);
  if ((iou || masks) && k === undefined) problems.push('the number of masks (iou_predictions [1, K]) is not fixed in the graph');
  const coords = inputs.get('point_coords');
  const coordProblem = coords && shapeProblem(coords, [null, null, 2]);
  if (coordProblem) problems.push(coordProblem);
  if (k !== undefined && isNumber(lowRes)) {
    for (const [t, pattern] of [
      [iou, [1, k]],
      [masks, [1, k, null, null]],
      [outputs.get('low_res_masks'), [1, k, lowRes, lowRes]],
    ] as const) {
      const p = t && shapeProblem(t, pattern);
      if (p) problems.push(p);
    }
  }
  return verdict('sam-decoder', score, problems, () => ({
    role: 'sam-decoder',
    numMasks: k!,
    channels: channels as number,
    grid: grid as number,
    lowResMaskSize: lowRes as number,
  }));
}

function samEncoder(info: OnnxGraphInfo): Verdict {
  if (info.inputs.length !== 1 || info.outputs.length !== 1) return null;
  const input = info.inputs[0]!;
  const output = info.outputs[0]!;
  const out = output.shape;
  // Exporters often leave the output's dimensions symbolic ("Addimage_embeddings_dim_0"): then its name must say what it is.
  if (!out || out.length !== 4 || (isNumber(out[0]) && out[0] !== 1)) return null;
  const channels = isNumber(out[1]) ? out[1] : null;
  const grid = isNumber(out[2]) && out[2] === out[3] ? out[2] : null;
  if (isNumber(out[2]) && isNumber(out[3]) && out[2] !== out[3]) return null;
  if (channels !== null && channels < 8) return null;
  if ((channels === null || grid === null) && !/embed/i.test(output.name)) return null;
  const shape = input.shape;
  if (!shape) return null;
  // SAM's ViT (patch 16) and MobileSAM's TinyViT downsample the 1024 input to a 64 grid: a power of two, at least 4x.
  const fitsGrid = (s: number): boolean => grid === null || (s > grid && s % grid === 0 && Number.isInteger(Math.log2(s / grid)));
  const problems = [typeProblem(input, ['float32'])].filter((p): p is string => p !== null);
  if (
    shape.length === 4 &&
    shape[1] === 3 &&
    (!isNumber(shape[0]) || shape[0] === 1) &&
    isNumber(shape[2]) &&
    shape[2] === shape[3] &&
    fitsGrid(shape[2])
  ) {
    const inputSize = shape[2];
    return verdict('sam-encoder', 0.5, problems, () => ({ role: 'sam-encoder', input: 'normalised-nchw', inputSize, channels, grid }));
  }
  if (shape.length === 3 && shape[2] === 3) {
    const sides = [shape[0], shape[1]].filter(isNumber);
    const inputSize = sides.length ? Math.max(...sides) : grid !== null ? grid * 16 : null;
    if (inputSize !== null && !fitsGrid(inputSize)) return null;
    return verdict('sam-encoder', 0.5, problems, () => ({ role: 'sam-encoder', input: 'raw-hwc', inputSize, channels, grid }));
  }
  return null;
}

function sam2Encoder(info: OnnxGraphInfo): Verdict {
  const score = resemblance(SAM2_ENCODER_OUTPUTS, info);
  if (score < 0.6) return null;
  const outputs = byName(info.outputs);
  const problems = missingNames('output', SAM2_ENCODER_OUTPUTS, outputs);
  const image = info.inputs[0];
  let inputSize = 0;
  if (info.inputs.length !== 1 || !image) problems.push(`it has ${info.inputs.length} inputs, expected one (the image)`);
  else {
    const s = image.shape?.[2];
    if (!isNumber(s) || shapeProblem(image, [1, 3, s, s]))
      problems.push(`${describeTensor(image)} should be [1, 3, S, S] with a number S (1024)`);
    else inputSize = s;
    const p = typeProblem(image, ['float32']);
    if (p) problems.push(p);
  }
  const grid = outputs.get('image_embed')?.shape?.[2];
  if (isNumber(grid)) {
    for (const [name, pattern] of [
      ['image_embed', [1, null, grid, grid]],
      ['high_res_feats_0', [1, null, grid * 4, grid * 4]],
      ['high_res_feats_1', [1, null, grid * 2, grid * 2]],
    ] as const) {
      const t = outputs.get(name);
      const p = t && shapeProblem(t, pattern);
      if (p) problems.push(p);
    }
  }
  return verdict('sam2-encoder', score, problems, () => ({ role: 'sam2-encoder', inputSize }));
}

function sam2Decoder(info: OnnxGraphInfo): Verdict {
  const score = resemblance([...SAM2_DECODER_INPUTS, ...SAM2_DECODER_OUTPUTS], info);
  if (score < 0.5 || byName(info.inputs).has('image_embeddings')) return null;
  const inputs = byName(info.inputs);
  const outputs = byName(info.outputs);
  const problems = [...missingNames('input', SAM2_DECODER_INPUTS, inputs), ...missingNames('output', SAM2_DECODER_OUTPUTS, outputs)];
  const known: readonly string[] = [...SAM2_DECODER_INPUTS, SAM2_ORIG_IM_SIZE];
  const extra = info.inputs.filter((t) => !known.includes(t.name));
  if (extra.length && !problems.length)
    problems.push(`it has input(s) ${extra.map((t) => `"${t.name}"`).join(', ')} that neither SAM 2 export format has`);
  for (const name of SAM2_DECODER_INPUTS) {
    const t = inputs.get(name);
    const p = t && typeProblem(t, ['float32']);
    if (p) problems.push(p);
  }
  const orig = inputs.get(SAM2_ORIG_IM_SIZE);
  const origProblem = orig && (typeProblem(orig, ['int32', 'int64', 'float32']) ?? shapeProblem(orig, [2]));
  if (origProblem) problems.push(origProblem);
  const format: Sam2DecoderFormat = orig ? 'ibaigorordo' : 'samexporter';
  const lowRes = inputs.get('mask_input')?.shape?.[2];
  const lowResMaskSize = isNumber(lowRes) ? lowRes : 256;
  const masks = outputs.get('masks');
  const numMasks = [outputs.get('iou_predictions')?.shape?.[1], masks?.shape?.[1]].find(isNumber) ?? 3;
  if (masks && format === 'samexporter') {
    const p = shapeProblem(masks, [null, numMasks, lowResMaskSize, lowResMaskSize]);
    if (p) problems.push(`${p} (a decoder without orig_im_size returns low-resolution masks)`);
  }
  return verdict('sam2-decoder', score, problems, () => ({ role: 'sam2-decoder', format, numMasks, lowResMaskSize }));
}

/** A metadata value as a Python literal; undefined when absent, an error text when unreadable. */
function metadataLiteral(info: OnnxGraphInfo, key: string): { value?: ReturnType<typeof parsePythonLiteral>; error?: string } {
  const raw = info.metadata[key];
  if (raw === undefined) return {};
  try {
    return { value: parsePythonLiteral(raw) };
  } catch (error) {
    return { error: `the "${key}" metadata cannot be read (${(error as Error).message})` };
  }
}

function yolo(info: OnnxGraphInfo): Verdict {
  const inputs = byName(info.inputs);
  const outputs = byName(info.outputs);
  const score = resemblance([YOLO_INPUT, YOLO_OUTPUT], info);
  if (score < 0.5 && info.metadata.task === undefined) return null;
  const problems = [...missingNames('input', [YOLO_INPUT], inputs), ...missingNames('output', [YOLO_OUTPUT], outputs)];
  if (info.inputs.length > 1) problems.push(`it has ${info.inputs.length} inputs, expected one (${YOLO_INPUT})`);
  const task = info.metadata.task;
  if (task !== undefined && task !== 'detect' && task !== 'segment') {
    return {
      family: 'yolo',
      resemblance: score,
      problems: [`its task is "${task}" (metadata); only detect and segment models are supported`],
    };
  }

  // Input size: the graph's, else the imgsz metadata (dynamic exports).
  const image = inputs.get(YOLO_INPUT);
  let inputSize = 0;
  if (image) {
    const p = typeProblem(image, ['float32']) ?? shapeProblem(image, [1, 3, null, null]);
    if (p) problems.push(p);
    const [h, w] = [image.shape?.[2], image.shape?.[3]];
    const imgsz = metadataLiteral(info, 'imgsz');
    if (imgsz.error) problems.push(imgsz.error);
    const meta = Array.isArray(imgsz.value) && imgsz.value.every((v) => typeof v === 'number') ? imgsz.value : [];
    const side = (graph: OnnxDim | undefined, i: number): number | undefined => (isNumber(graph) ? graph : meta[meta.length === 1 ? 0 : i]);
    const [height, width] = [side(h, 0), side(w, 1)];
    if (height === undefined || width === undefined)
      problems.push(`its input size is not fixed (${describeTensor(image)}) and it has no imgsz metadata`);
    else if (height !== width)
      problems.push(`its input is ${width}x${height}; only square inputs are supported (export with a square imgsz)`);
    else inputSize = height;
  }

  const named = metadataLiteral(info, 'names');
  let names: string[] | null = null;
  if (named.error) problems.push(named.error);
  else if (named.value !== undefined) {
    try {
      names = classNamesFrom(named.value, 'the "names" metadata');
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  const protos = outputs.get(YOLO_PROTOTYPES);
  const nmDim = protos?.shape?.[1];
  const maskDims = protos ? (isNumber(nmDim) ? nmDim : 32) : 0;
  if (protos) {
    const p = shapeProblem(protos, [1, null, null, null]);
    if (p) problems.push(p);
  }
  if (task === 'segment' && !protos) problems.push(`its task is "segment" but it has no ${YOLO_PROTOTYPES} (mask prototypes)`);
  if (task === 'detect' && protos) problems.push(`its task is "detect" but it has an ${YOLO_PROTOTYPES} output`);

  const out0 = outputs.get(YOLO_OUTPUT);
  const shape = out0?.shape;
  let head: YoloRole['head'] = 'anchors';
  let classCount: number | null = null;
  if (out0 && (!shape || shape.length !== 3)) problems.push(`${describeTensor(out0)} should be [1, rows, anchors]`);
  else if (out0 && shape) {
    const [rows, cols] = [shape[1], shape[2]];
    const end2endMeta = info.metadata.end2end;
    const endToEnd =
      end2endMeta !== undefined ? end2endMeta === 'True' : isNumber(cols) && cols === 6 + maskDims && (!isNumber(rows) || rows > cols);
    if (endToEnd) {
      head = 'end2end';
      if (isNumber(cols) && cols !== 6 + maskDims)
        problems.push(
          `${describeTensor(out0)} of an end-to-end head should be [1, N, ${6 + maskDims}] (x1, y1, x2, y2, score, class${maskDims ? `, ${maskDims} mask coefficients` : ''})`,
        );
    } else if (isNumber(rows)) {
      classCount = rows - 4 - maskDims;
      if (classCount < 1)
        problems.push(
          `${describeTensor(out0)} has ${rows} rows, too few for 4 box values${maskDims ? ` + ${maskDims} mask coefficients` : ''} + classes`,
        );
      else if (names && names.length !== classCount)
        problems.push(`${YOLO_OUTPUT} has ${classCount} class rows but the "names" metadata lists ${names.length} classes`);
    }
  }
  return verdict('yolo', score, problems, () => ({
    role: 'yolo',
    task: protos ? 'segment' : 'detect',
    head,
    inputSize,
    classCount,
    maskDims,
    names,
  }));
}

const CHECKS = [yolo, sam2Encoder, sam2Decoder, samDecoder, samEncoder];

/** The graph's signature in one line, for messages. */
export function describeSignature(info: OnnxGraphInfo): string {
  return `inputs ${info.inputs.map(describeTensor).join(', ') || 'none'}; outputs ${info.outputs.map(describeTensor).join(', ')}`;
}

/** What `info` is, or a message naming what was found, what was expected, and the manual route. */
export function classifyGraph(info: OnnxGraphInfo, fileName: string): Classification {
  const misses: { family: GraphRole['role']; resemblance: number; problems: string[] }[] = [];
  for (const check of CHECKS) {
    const v = check(info);
    if (!v) continue;
    if ('role' in v) return { role: v.role };
    misses.push(v);
  }
  const found = describeSignature(info);
  const closest = misses.sort((a, b) => b.resemblance - a.resemblance)[0];
  if (closest) {
    return {
      role: null,
      message: `${fileName} looks like ${FAMILY_TEXT[closest.family]}, but ${closest.problems.join('; ')}. Expected ${EXPECTED_TEXT[closest.family]}; found ${found}. If it is another export, write its manifest by hand (docs/models.md).`,
    };
  }
  return {
    role: null,
    message: `${fileName} is not a model this app recognises (found ${found}). Recognised: ${RECOGNISED_FAMILIES}. For another model, write its manifest by hand (docs/models.md).`,
  };
}

/** One line for a recognised graph ("Segment Anything decoder, 4 masks"). */
export function describeRole(role: GraphRole): string {
  switch (role.role) {
    case 'sam-decoder':
      return `Segment Anything decoder (${role.numMasks} mask${role.numMasks === 1 ? '' : 's'}, embeddings [1, ${role.channels}, ${role.grid}, ${role.grid}])`;
    case 'sam-encoder':
      return `Segment Anything encoder (${role.input === 'normalised-nchw' ? `normalised [1, 3, ${role.inputSize}, ${role.inputSize}] input` : 'raw-image [H, W, 3] input, preprocessing inside the graph'})`;
    case 'sam2-encoder':
      return `SAM 2 encoder (${role.inputSize}² input)`;
    case 'sam2-decoder':
      return `SAM 2 decoder (${role.format === 'samexporter' ? 'samexporter format, low-resolution masks' : 'ibaiGorordo format, orig_im_size, full-size masks'}; ${role.numMasks} masks)`;
    case 'yolo':
      return `Ultralytics YOLO ${role.task === 'segment' ? 'instance segmenter' : 'detector'} (${role.inputSize}² input, ${role.head === 'end2end' ? 'end-to-end head' : 'anchor head'}${role.classCount !== null ? `, ${role.classCount} classes` : role.names ? `, ${role.names.length} classes` : ''})`;
  }
}
