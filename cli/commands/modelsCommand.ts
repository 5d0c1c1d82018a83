// `promptlabel models`: the models the app and `segment` can use (built-in
// and the user's folder), what prompts each takes, and why one cannot be
// used; and its subcommands: add (files, a folder, an X-AnyLabeling YAML),
// fetch (an opt-in pack, or a URL), remove, links (public model links).
import { parseArgs } from 'node:util';

import { MODEL_LINKS } from '../../engine/modelPacks/modelLinks.js';
import { removeUserModel } from '../../engine/recognition/removeModel.js';
import { listModels } from '../../engine/registry.js';
import { cliModelRoots } from './cliEngine.js';
import { MODELS_ADD_USAGE, MODELS_FETCH_URL_USAGE, runModelsAdd, runModelsFetchUrl } from './modelsAdd.js';
import { MODELS_FETCH_USAGE, runModelsFetch } from './modelsFetch.js';
import { modelTable } from './modelTable.js';
import { type CliCommand, type CliIo, UsageError } from './types.js';

export { modelTable } from './modelTable.js';

const MODELS_REMOVE_USAGE = 'promptlabel models remove ID';
const MODELS_LINKS_USAGE = 'promptlabel models links [--json]';

async function runModelsRemove(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('give the id of one user model to remove');
  const roots = cliModelRoots();
  if (!roots.user) throw new UsageError('there is no user model folder');
  const removed = await removeUserModel(positionals[0]!, { userModelsDir: roots.user, builtinDir: roots.builtin });
  io.stdout(`Removed ${positionals[0]} (${removed})\n`);
  return 0;
}

function runModelsLinks(args: string[], io: CliIo): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
  if (values.json) {
    io.stdout(`${JSON.stringify(MODEL_LINKS, null, 2)}\n`);
    return 0;
  }
  const lines = MODEL_LINKS.map(
    (l) =>
      `${l.id}  ${l.displayName}${l.verified ? '' : '  [not verified here]'}\n  ${l.description}\n  ${l.source}\n  promptlabel models fetch ${l.urls.join(' ')}`,
  );
  io.stdout(`${lines.join('\n\n')}\n`);
  io.stderr('Nothing was downloaded. These are suggestions: fetch one with the command under it.\n');
  return 0;
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary:
    'list the models (built-in and user), their prompt kinds and problems; add one from its files, a URL or an X-AnyLabeling YAML; fetch an opt-in pack; remove one',
  usage: [
    `promptlabel models [--json]`,
    MODELS_ADD_USAGE,
    MODELS_FETCH_URL_USAGE,
    MODELS_FETCH_USAGE,
    MODELS_REMOVE_USAGE,
    MODELS_LINKS_USAGE,
  ].join('\n      '),
  async run(args, io) {
    switch (args[0]) {
      case 'fetch':
        return /^[a-z][a-z0-9+.-]*:\/\//i.test(args[1] ?? '') ? runModelsFetchUrl(args.slice(1), io) : runModelsFetch(args.slice(1), io);
      case 'add':
        return runModelsAdd(args.slice(1), io);
      case 'remove':
        return runModelsRemove(args.slice(1), io);
      case 'links':
        return runModelsLinks(args.slice(1), io);
      default:
        break; // no sub-command: list the models
    }
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const roots = cliModelRoots();
    const models = await listModels(roots);
    if (values.json) {
      io.stdout(`${JSON.stringify(models, null, 2)}\n`);
      return 0;
    }
    if (models.length === 0) io.stdout(`No models found in ${roots.builtin}${roots.user ? ` or ${roots.user}` : ''}.\n`);
    else io.stdout(modelTable(models));
    if (roots.user) {
      io.stderr(
        `Add a model from its files with \`promptlabel models add FILE…\` (SAM / MobileSAM, SAM 2, YOLO), by URL with \`promptlabel models fetch URL\` ` +
          `(suggestions: \`promptlabel models links\`), or write ${roots.user}/<model>/manifest.json by hand (docs/models.md); ` +
          `\`promptlabel models fetch isnet-small\` fetches the opt-in foreground model (AGPL-3.0).\n`,
      );
    }
    return 0;
  },
};
