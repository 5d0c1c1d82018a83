// The model list as a table for `promptlabel models`: id, built-in or user,
// the prompt kinds it takes (a detector takes none: it proposes), and
// why it cannot be used when it cannot.
import type { ModelInfo, PromptCapabilities } from '../../common/contract/index.js';

const CAPABILITIES: readonly (keyof PromptCapabilities)[] = [
  'points',
  'box',
  'scribble',
  'text',
  'reference',
  'labels',
  'wand',
  'regions',
  'detect',
];

function capabilityList(capabilities: PromptCapabilities): string {
  return CAPABILITIES.filter((key) => capabilities[key] === true).join(',') || '-';
}

export function modelTable(models: readonly ModelInfo[]): string {
  const rows = models.map((m) => [m.id, m.source, capabilityList(m.capabilities), m.problem ? `unusable: ${m.problem}` : 'ok']);
  const header = ['ID', 'SOURCE', 'PROMPTS', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
