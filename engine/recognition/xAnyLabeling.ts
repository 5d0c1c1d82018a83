// X-AnyLabeling's model YAML (the desktop peer's one-file model config),
// read into a plan: which family the `type` names, where each ONNX file is
// (a local path, taken relative to the YAML's folder, or a URL to download),
// the display name, class names and thresholds. Only the types whose
// graphs this app can recognise and run are accepted; any other `type` is
// refused with the list of known ones. The files themselves are still
// recognised from their signatures afterwards, and must agree with `type`.
import { isAbsolute, resolve } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { AppError } from '../../common/contract/result.js';
import { classNamesFromYaml } from './namesFile.js';

/** X-AnyLabeling `type` → what its files must be. */
export const XANYLABELING_TYPES = {
  segment_anything: { family: 'sam', task: null },
  segment_anything_2: { family: 'sam2', task: null },
  yolov8: { family: 'yolo', task: 'detect' },
  yolov8_seg: { family: 'yolo', task: 'segment' },
  yolo11: { family: 'yolo', task: 'detect' },
  yolo11_seg: { family: 'yolo', task: 'segment' },
} as const;
export type XAnyLabelingType = keyof typeof XANYLABELING_TYPES;

export interface XAnyLabelingFile {
  role: 'encoder' | 'decoder' | 'model';
  /** An absolute local path, or an http(s) URL. */
  location: string;
  remote: boolean;
}

export interface XAnyLabelingPlan {
  type: XAnyLabelingType;
  family: 'sam' | 'sam2' | 'yolo';
  task: 'detect' | 'segment' | null;
  /** `name` (X-AnyLabeling's id, e.g. "yolov8n-r20230520"). */
  name: string;
  displayName: string;
  files: XAnyLabelingFile[];
  classes: string[] | null;
  thresholds: { conf?: number; iou?: number };
  inputSize: number | null;
}

const MAX_TEXT = 256 * 1024;

function isType(value: string): value is XAnyLabelingType {
  return Object.hasOwn(XANYLABELING_TYPES, value);
}

/** Reads an X-AnyLabeling model YAML's text; `yamlPath` locates relative model paths and names the file in messages. */
export function parseXAnyLabelingConfig(text: string, yamlPath: string): XAnyLabelingPlan {
  const fail = (message: string): never => {
    throw new AppError('invalid_file', `${yamlPath}: ${message}. Nothing was installed.`, yamlPath);
  };
  if (text.length > MAX_TEXT) fail(`the file is larger than ${MAX_TEXT} bytes; an X-AnyLabeling model config is a few lines`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 16 });
  } catch (error) {
    return fail(`not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return fail('expected a mapping with "type", "name" and the model paths');
  const record = doc as Record<string, unknown>;
  const str = (key: string): string | null => {
    const value = record[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !value.trim()) return fail(`"${key}" must be a text`);
    return value.trim();
  };
  const num = (key: string, check: (n: number) => boolean, what: string): number | undefined => {
    const value = record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !check(value)) return fail(`"${key}" must be ${what}`);
    return value;
  };

  const type = str('type');
  if (type === null) return fail(`no "type" (known: ${Object.keys(XANYLABELING_TYPES).join(', ')})`);
  if (!isType(type)) return fail(`type "${type}" is not one this app can import (known: ${Object.keys(XANYLABELING_TYPES).join(', ')})`);
  const { family, task } = XANYLABELING_TYPES[type];
  const name = str('name') ?? str('display_name') ?? fail('no "name"');
  const displayName = str('display_name') ?? name;

  const location = (key: string): XAnyLabelingFile['location'] => {
    const value =
      str(key) ??
      fail(`no "${key}" (a ${type} config names ${family === 'yolo' ? 'model_path' : 'encoder_model_path and decoder_model_path'})`);
    if (/^https?:\/\//i.test(value)) return value;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
      return fail(`"${key}" is a URL this app cannot download (${value}); use http(s) or a local path`);
    return isAbsolute(value) ? value : resolve(yamlPath, '..', value);
  };
  const file = (role: XAnyLabelingFile['role'], key: string): XAnyLabelingFile => {
    const where = location(key);
    return { role, location: where, remote: /^https?:\/\//i.test(where) };
  };
  const files =
    family === 'yolo' ? [file('model', 'model_path')] : [file('encoder', 'encoder_model_path'), file('decoder', 'decoder_model_path')];

  let classes: string[] | null = null;
  if (record.classes !== undefined && record.classes !== null) {
    try {
      classes = classNamesFromYaml({ classes: record.classes }, 'classes');
    } catch (error) {
      fail((error as Error).message);
    }
  }
  const probability = (n: number): boolean => n > 0 && n < 1;
  const conf = num('conf_threshold', probability, 'a number between 0 and 1');
  const iou =
    num('nms_threshold', probability, 'a number between 0 and 1') ?? num('iou_threshold', probability, 'a number between 0 and 1');
  const inputSize = num('input_size', (n) => Number.isInteger(n) && n > 0, 'a positive whole number') ?? null;
  return { type, family, task, name, displayName, files, classes, thresholds: { conf, iou }, inputSize };
}
