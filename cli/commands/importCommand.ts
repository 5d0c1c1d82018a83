import { parseArgs } from 'node:util';

import { importNarratives } from '../../core/narratives/importNarratives.js';
import { Project } from '../../core/store/project.js';
import { COCO_IMPORT_OPTIONS, COCO_IMPORT_USAGE } from './cocoCli.js';
import { DATASET_FORMAT_LIST, importFormatCommand, isDatasetFormat } from './datasetFormats.js';
import { type CliCommand, UsageError } from './types.js';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import COCO (instances or captions), COCO results, YOLO, Pascal VOC, labelme, CVAT or Localized Narratives into a project',
  usage:
    `${COCO_IMPORT_USAGE}\n` +
    '       promptlabel import --project DIR --narratives FILE.jsonl [--coco FILE] [--skip-unmatched]\n' +
    "         (narratives: image_id matched by the COCO file's image ids when given, else by file stem)\n" +
    '       promptlabel import --project DIR --proposals RESULTS.json   (or --format coco-results RESULTS.json)\n' +
    '         (COCO results, e.g. the shards of promptlabel autolabel --out: into the review queue; images by file_name, else id)\n' +
    '       promptlabel import --project DIR --format yolo|voc|labelme|cvat PATH [--label-map FILE.json]\n' +
    '         (PATH: data.yaml or its folder, the VOC folder, a labelme folder or file, annotations.xml or its folder;\n' +
    '          --label-map: {"dataset label": "project label"}; other unknown labels are created)',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        project: { type: 'string' },
        coco: { type: 'string' },
        narratives: { type: 'string' },
        proposals: { type: 'string' },
        'skip-unmatched': { type: 'boolean' },
        format: { type: 'string' },
        'label-map': { type: 'string' },
        ...COCO_IMPORT_OPTIONS,
      },
      strict: true,
      allowPositionals: true,
    });
    if (!values.project) throw new UsageError('--project is required.');
    // `--format coco --coco FILE` (without PATH) is the older spelling of `--coco FILE`.
    if (values.format !== undefined && !(values.format === 'coco' && values.coco !== undefined && positionals.length === 0)) {
      if (!isDatasetFormat(values.format)) throw new UsageError(`--format must be one of ${DATASET_FORMAT_LIST}, not "${values.format}".`);
      if (positionals.length !== 1) throw new UsageError(`--format ${values.format} takes one PATH: the dataset to import.`);
      return importFormatCommand(values.project, values.format, positionals[0]!, values['label-map'], values.duplicates, io);
    }
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    if (values['label-map']) throw new UsageError('--label-map goes with --format yolo, voc, labelme or cvat.');
    if (values.proposals) return importFormatCommand(values.project, 'coco-results', values.proposals, undefined, values.duplicates, io);
    if (values.narratives)
      return importNarrativesFile(values.project, values.narratives, values.coco, values['skip-unmatched'] ?? false, io);
    if (!values.coco) throw new UsageError('--coco, --narratives or --proposals is required.');
    if (values['skip-unmatched']) throw new UsageError('--skip-unmatched goes with --narratives.');
    return importFormatCommand(values.project, 'coco', values.coco, undefined, values.duplicates, io);
  },
};

async function importNarrativesFile(
  dir: string,
  file: string,
  cocoPath: string | undefined,
  skipUnmatched: boolean,
  io: Parameters<CliCommand['run']>[1],
): Promise<number> {
  const project = Project.open(dir);
  try {
    const summary = await importNarratives(project, file, { cocoPath, skipUnmatched });
    io.stdout(`Imported ${summary.captions} narratives on ${summary.images} images.\n`);
    if (summary.skipped > 0) io.stderr(`Skipped ${summary.skipped} narratives of images this project does not have.\n`);
    return 0;
  } finally {
    project.close();
  }
}
