import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { exportNarratives } from '../../core/narratives/exportNarratives.js';
import { Project } from '../../core/store/project.js';
import { COCO_EXPORT_OPTIONS, COCO_EXPORT_USAGE } from './cocoCli.js';
import { DATASET_FORMAT_LIST, exportFormatCommand, isDatasetFormat } from './datasetFormats.js';
import { type CliCommand, UsageError } from './types.js';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export a project as COCO, COCO results, YOLO, Pascal VOC, labelme or CVAT, or its captions as Localized Narratives',
  usage:
    `${COCO_EXPORT_USAGE}\n` +
    '       promptlabel export --project DIR --format ln --out FILE.jsonl [--overwrite]\n' +
    '       promptlabel export --project DIR --format coco-results --out FILE [--results proposals|annotations] [--overwrite]\n' +
    '       promptlabel export --project DIR --format voc|labelme|cvat --out FOLDER [--overwrite]\n' +
    '       promptlabel export --project DIR --format yolo --out FOLDER [--task detect|segment] [--val-ratio 0.2] [--seed 0]\n' +
    '                          [--copy-images] [--overwrite]\n' +
    '         (what a format cannot hold is listed with counts on stderr)',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        project: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        captions: { type: 'boolean' },
        overwrite: { type: 'boolean' },
        task: { type: 'string' },
        'val-ratio': { type: 'string' },
        seed: { type: 'string' },
        'copy-images': { type: 'boolean' },
        results: { type: 'string' },
        ...COCO_EXPORT_OPTIONS,
      },
      strict: true,
    });
    if (!values.project || !values.out) throw new UsageError('--project and --out are required.');
    if (isDatasetFormat(values.format)) return exportFormatCommand(values.project, values.format, { ...values, out: values.out }, io);
    if (values.format !== 'ln')
      throw new UsageError(`--format must be ln or one of ${DATASET_FORMAT_LIST}${values.format ? `, not "${values.format}"` : ''}.`);
    if (values.task || values['val-ratio'] || values.seed || values['copy-images'])
      throw new UsageError('--task, --val-ratio, --seed and --copy-images go with --format yolo.');
    if (values.captions) throw new UsageError('--captions goes with --format coco (ln is captions only).');
    return exportLn(values.project, resolve(values.out), values.overwrite ?? false, io);
  },
};

async function exportLn(dir: string, outPath: string, overwrite: boolean, io: Parameters<CliCommand['run']>[1]): Promise<number> {
  const project = Project.open(dir);
  try {
    const result = await exportNarratives(project, { outPath, overwrite });
    io.stdout(`Wrote ${result.path}: ${result.narratives} narratives.\n`);
    if (result.skippedWithoutWords > 0) io.stderr(`Skipped ${result.skippedWithoutWords} captions without words (LN needs timed words).\n`);
    return 0;
  } finally {
    project.close();
  }
}
