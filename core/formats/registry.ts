// Every dataset format: adding one is a file in this folder and a line here.
import type { DatasetFormat } from '../../common/contract/index.js';
import type { FormatConverter } from './converter.js';
import { cvatConverter } from './cvat.js';
import { labelmeConverter } from './labelme.js';
import { vocConverter } from './voc.js';
import { yoloConverter } from './yolo.js';

const CONVERTERS: Record<DatasetFormat, FormatConverter> = {
  yolo: yoloConverter,
  voc: vocConverter,
  labelme: labelmeConverter,
  cvat: cvatConverter,
};

export const converterFor = (format: DatasetFormat): FormatConverter => CONVERTERS[format];

export const FORMAT_CONVERTERS: readonly FormatConverter[] = Object.values(CONVERTERS);
