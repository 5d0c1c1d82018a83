// Every dataset format: adding one is a file in this folder and a line here.
import type { DatasetFormat } from '../../common/contract/index.js';
import { cocoFormat } from './coco.js';
import { cocoResultsFormat } from './cocoResults.js';
import type { FormatConverter, ProjectFormat } from './converter.js';
import { cvatConverter } from './cvat.js';
import { labelmeConverter } from './labelme.js';
import { vocConverter } from './voc.js';
import { yoloConverter } from './yolo.js';

const CONVERTERS: Record<DatasetFormat, FormatConverter | ProjectFormat> = {
  yolo: yoloConverter,
  voc: vocConverter,
  labelme: labelmeConverter,
  cvat: cvatConverter,
  coco: cocoFormat,
  'coco-results': cocoResultsFormat,
};

export const converterFor = (format: DatasetFormat): FormatConverter | ProjectFormat => CONVERTERS[format];

export const FORMAT_CONVERTERS: readonly (FormatConverter | ProjectFormat)[] = Object.values(CONVERTERS);
