import { parseArgs } from 'node:util';

import { importCoco } from '../../core/coco/import.js';
import { Project } from '../../core/store/project.js';
import { progressPrinter } from './progress.js';
import { type CliCommand, UsageError } from './types.js';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a COCO instances (or captions) file into a project',
  usage: 'promptlabel import --project DIR --coco FILE',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { project: { type: 'string' }, coco: { type: 'string' } }, strict: true });
    if (!values.project || !values.coco) throw new UsageError('--project and --coco are required.');
    const project = Project.open(values.project);
    try {
      const summary = await importCoco(project, values.coco, progressPrinter(io, 'import'));
      io.stdout(
        `Imported ${summary.annotations} annotations and ${summary.captions} captions on ${summary.images} images; ${summary.categoriesAdded} new labels.\n`,
      );
      return 0;
    } finally {
      project.close();
    }
  },
};
