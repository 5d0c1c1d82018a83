// `promptlabel models`: the models the app and `segment` can use (built-in
// and the user's folder), what prompts each takes, and why one cannot be used.
import { parseArgs } from 'node:util';
import type { ModelInfo, PromptCapabilities } from '../../common/contract/index.js';
import { listModels } from '../../engine/registry.js';
import { cliModelRoots } from './cliEngine.js';
import { MODELS_FETCH_USAGE, runModelsFetch } from './modelsFetch.js';
import type { CliCommand } from './types.js';

const CAPABILITIES: readonly (keyof PromptCapabilities)[] = ['points', 'box', 'scribble', 'text', 'reference', 'labels', 'wand', 'regions'];

function capabilityList(capabilities: PromptCapabilities): string {
  return CAPABILITIES.filter((key) => capabilities[key]).join(',') || '-';
}

export function modelTable(models: readonly ModelInfo[]): string {
  const rows = models.map((m) => [m.id, m.source, capabilityList(m.capabilities), m.problem ? `unusable: ${m.problem}` : 'ok']);
  const header = ['ID', 'SOURCE', 'PROMPTS', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list the segmentation models (built-in and user), their prompt kinds and problems; fetch an opt-in model pack',
  usage: `promptlabel models [--json]\n      ${MODELS_FETCH_USAGE}`,
  async run(args, io) {
    if (args[0] === 'fetch') return runModelsFetch(args.slice(1), io);
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const roots = cliModelRoots();
    const models = await listModels(roots);
    if (values.json) {
      io.stdout(`${JSON.stringify(models, null, 2)}\n`);
      return 0;
    }
    if (models.length === 0) io.stdout(`No models found in ${roots.builtin}${roots.user ? ` or ${roots.user}` : ''}.\n`);
    else io.stdout(modelTable(models));
    if (roots.user) io.stderr(`User models go in ${roots.user}/<model>/manifest.json (see docs/models.md); \`promptlabel models fetch isnet-small\` fetches the opt-in foreground model (AGPL-3.0).\n`);
    return 0;
  },
};
