// From the files a user drops (one or two .onnx files, or a folder) to one
// model: each graph's signature is read (onnxGraph.ts) and classified
// (signatures.ts), then the parts are paired: a SAM / MobileSAM encoder with
// its decoder, a SAM 2 encoder with its decoder, or one YOLO file with its
// class names. Anything that does not make exactly one model is refused
// with what was found and what is missing; nothing is written here.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, normalize, resolve, sep } from 'node:path';

import { AppError } from '../../common/contract/result.js';
import { readNamesFile } from './namesFile.js';
import { OnnxFormatError, type OnnxGraphInfo, readOnnxFile } from './onnxGraph.js';
import {
  classifyGraph,
  describeRole,
  FAMILY_TEXT,
  type GraphRole,
  RECOGNISED_FAMILIES,
  type Sam2DecoderRole,
  type Sam2EncoderRole,
  type SamDecoderRole,
  type SamEncoderRole,
  type YoloRole,
} from './signatures.js';

export interface RecognisedFile<R extends GraphRole = GraphRole> {
  path: string;
  bytes: number;
  graph: OnnxGraphInfo;
  role: R;
  /** Absolute paths of the external-data files its initializers live in (next to it). */
  externalData: string[];
}

export type RecognisedModel =
  | { family: 'sam'; encoder: RecognisedFile<SamEncoderRole>; decoder: RecognisedFile<SamDecoderRole>; description: string }
  | { family: 'sam2'; encoder: RecognisedFile<Sam2EncoderRole>; decoder: RecognisedFile<Sam2DecoderRole>; description: string }
  | { family: 'yolo'; model: RecognisedFile<YoloRole>; classes: string[]; description: string };

export interface RecogniseOptions {
  /** Class names for a YOLO model (a data.yaml, an X-AnyLabeling YAML, or one name per line); wins over the graph's own. */
  namesFile?: string | null;
  /** Class names already read (an X-AnyLabeling YAML's `classes`). */
  names?: string[] | null;
}

/** Refused input: nothing was installed. */
function refuse(message: string, path?: string): AppError {
  return new AppError('invalid_file', `${message} Nothing was installed.`, path);
}

const NAMES_FILES = ['data.yaml', 'data.yml', 'names.txt', 'classes.txt'];

/** The .onnx files to look at: the files given, or the .onnx files directly inside a folder (and a names file found there). */
async function collect(paths: readonly string[]): Promise<{ files: string[]; givenNames: string | null; foundNames: string | null }> {
  if (!paths.length) throw new AppError('bad_request', 'Give one or two .onnx files, or a folder holding them.');
  const files: string[] = [];
  let givenNames: string | null = null;
  let foundNames: string | null = null;
  for (const given of paths) {
    const path = resolve(given);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new AppError('not_found', `${given} does not exist. Nothing was installed.`, path);
    }
    if (info.isFile() && /^\.(ya?ml|txt)$/i.test(extname(path)) && paths.length > 1) {
      // Dropped beside a model file: its class names (data.yaml, names.txt).
      if (givenNames) throw refuse(`Two names files were given (${basename(givenNames)} and ${basename(path)}); give one.`, path);
      givenNames = path;
    } else if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      const onnx = entries.filter((e) => extname(e).toLowerCase() === '.onnx').map((e) => join(path, e));
      if (!onnx.length) throw refuse(`${given} holds no .onnx file (found: ${entries.slice(0, 10).join(', ') || 'nothing'}).`, path);
      files.push(...onnx);
      foundNames ??= NAMES_FILES.map((n) => join(path, n)).find((p) => entries.includes(basename(p))) ?? null;
    } else files.push(path);
  }
  return { files: [...new Set(files)], givenNames, foundNames };
}

/** What a file that is not ONNX probably is, for the message. */
async function hintFor(path: string): Promise<string> {
  const ext = extname(path).toLowerCase();
  if (ext === '.pt' || ext === '.pth')
    return ' It looks like a PyTorch checkpoint: export it to ONNX first (Ultralytics: `yolo export model=… format=onnx`; Segment Anything: scripts/export_onnx_model.py).';
  if (ext === '.yaml' || ext === '.yml')
    return ' A YAML file given alone is read as an X-AnyLabeling model config; a data.yaml of class names goes beside the model file (or with --names).';
  return '';
}

async function readGraph(path: string): Promise<RecognisedFile> {
  let graph: OnnxGraphInfo;
  try {
    graph = await readOnnxFile(path);
  } catch (error) {
    if (error instanceof OnnxFormatError) throw refuse(`${error.message}.${await hintFor(path)}`, path);
    throw error;
  }
  const classified = classifyGraph(graph, basename(path));
  if (!classified.role) throw refuse(classified.message, path);
  const dir = dirname(path);
  const externalData = graph.externalData.map((location) => {
    const normalised = normalize(location);
    if (isAbsolute(location) || normalised.split(sep).includes('..'))
      throw refuse(`${basename(path)} keeps weights in "${location}", outside its folder; move that file next to the model.`, path);
    return join(dir, normalised);
  });
  for (const file of externalData) {
    try {
      await stat(file);
    } catch {
      throw refuse(
        `${basename(path)} keeps its weights in ${basename(file)}, which is not next to it; add that file beside the model.`,
        path,
      );
    }
  }
  return { path, bytes: (await stat(path)).size, graph, role: classified.role, externalData };
}

function hasRole<R extends GraphRole['role']>(file: RecognisedFile, role: R): file is RecognisedFile<Extract<GraphRole, { role: R }>> {
  return file.role.role === role;
}

function listing(files: readonly RecognisedFile[]): string {
  return files.map((f) => `${basename(f.path)}: ${describeRole(f.role)}`).join('; ');
}

function pairSam(encoder: RecognisedFile<SamEncoderRole>, decoder: RecognisedFile<SamDecoderRole>): RecognisedModel {
  const e = encoder.role;
  const d = decoder.role;
  const show = (v: number | null): string => (v === null ? '?' : String(v));
  if ((e.channels !== null && e.channels !== d.channels) || (e.grid !== null && e.grid !== d.grid)) {
    throw refuse(
      `${basename(encoder.path)} and ${basename(decoder.path)} do not belong together: the encoder gives [1, ${show(e.channels)}, ${show(e.grid)}, ${show(e.grid)}] embeddings, the decoder takes [1, ${d.channels}, ${d.grid}, ${d.grid}].`,
      encoder.path,
    );
  }
  // An export that left the encoder's output symbolic takes the decoder's sizes (the graph check at install confirms them).
  const inputSize = e.inputSize ?? d.grid * 16;
  if (inputSize % d.grid !== 0)
    throw refuse(`${basename(encoder.path)} takes ${inputSize}² images, which a ${d.grid}² embedding grid does not divide.`, encoder.path);
  const role: SamEncoderRole = { ...e, channels: d.channels, grid: d.grid, inputSize };
  return { family: 'sam', encoder: { ...encoder, role }, decoder, description: `${describeRole(d)} + ${describeRole(role)}` };
}

async function yoloNames(
  model: RecognisedFile<YoloRole>,
  options: RecogniseOptions,
  givenNames: string | null,
  foundNames: string | null,
): Promise<{ names: string[]; source: string }> {
  const role = model.role;
  // A names file the user gave (option, or dropped beside the model) wins; one found in a dropped folder only fills a gap.
  const file = options.namesFile ?? givenNames ?? (role.names ? null : foundNames);
  const given = options.names ?? (file ? await readNamesFile(file) : null);
  const names = given ?? role.names;
  const source = given ? (options.names ? 'the given class list' : basename(file!)) : 'the graph metadata';
  if (!names) {
    throw refuse(
      `${basename(model.path)} was recognised as ${describeRole(role)} but carries no class names in its metadata; give them with --names data.yaml (Ultralytics dataset YAML, \`names:\`) or a text file with one name per line.`,
      model.path,
    );
  }
  if (role.classCount !== null && names.length !== role.classCount) {
    throw refuse(`${basename(model.path)} predicts ${role.classCount} classes but ${source} lists ${names.length} names.`, model.path);
  }
  return { names, source };
}

/**
 * Recognises one model from the given files or folder. Throws an AppError
 * whose message names what was found and what was expected.
 */
export async function recogniseModel(paths: readonly string[], options: RecogniseOptions = {}): Promise<RecognisedModel> {
  const { files, givenNames, foundNames } = await collect(paths);
  if (files.length > 2) {
    throw refuse(
      `${files.length} .onnx files were given (${files.map((f) => basename(f)).join(', ')}); give one model at a time: a YOLO file, or an encoder and its decoder.`,
    );
  }
  const graphs: RecognisedFile[] = [];
  for (const file of files) graphs.push(await readGraph(file));

  const yolo = graphs.filter((g) => hasRole(g, 'yolo'));
  if (yolo.length) {
    if (graphs.length > 1) throw refuse(`A YOLO model is one file; these were given together: ${listing(graphs)}. Add them one at a time.`);
    const model = yolo[0] as RecognisedFile<YoloRole>;
    const { names, source } = await yoloNames(model, options, givenNames, foundNames);
    return { family: 'yolo', model, classes: names, description: `${describeRole({ ...model.role, names })}, class names from ${source}` };
  }

  const find = <R extends GraphRole['role']>(role: R) =>
    graphs.filter((g): g is RecognisedFile<Extract<GraphRole, { role: R }>> => hasRole(g, role));
  const [samEnc, samDec, sam2Enc, sam2Dec] = [find('sam-encoder'), find('sam-decoder'), find('sam2-encoder'), find('sam2-decoder')];
  if (samEnc.length === 1 && samDec.length === 1) return pairSam(samEnc[0]!, samDec[0]!);
  if (sam2Enc.length === 1 && sam2Dec.length === 1) {
    const encoder = sam2Enc[0]!;
    const decoder = sam2Dec[0]!;
    return { family: 'sam2', encoder, decoder, description: `${describeRole(decoder.role)} + ${describeRole(encoder.role)}` };
  }

  // One part alone, two of the same part, or parts of different families.
  const only = graphs.length === 1 ? graphs[0]! : null;
  const partner: Partial<Record<GraphRole['role'], string>> = {
    'sam-decoder': `its encoder (${FAMILY_TEXT['sam-encoder']})`,
    'sam-encoder': `its decoder (${FAMILY_TEXT['sam-decoder']})`,
    'sam2-decoder': `its encoder (${FAMILY_TEXT['sam2-encoder']})`,
    'sam2-encoder': `its decoder (${FAMILY_TEXT['sam2-decoder']})`,
  };
  if (only) {
    throw refuse(
      `${basename(only.path)} was recognised as ${describeRole(only.role)}, which needs ${partner[only.role.role] ?? 'another part'}: give both files together (or the folder holding them).`,
      only.path,
    );
  }
  throw refuse(`These files do not make one model: ${listing(graphs)}. Expected ${RECOGNISED_FAMILIES}.`);
}
