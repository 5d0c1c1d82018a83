// Engine settings persisted in the user-data folder: the settings ai.configure
// changes, plus what the engine remembers (the model chosen per project, the
// detector class -> label maps). A missing or invalid file means defaults
// (the invalid one is left for the user to inspect).
import { existsSync, readFileSync } from 'node:fs';

import { type EngineSettings, storedEngineSettingsSchema } from '../common/contract/index.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { parseJsonText } from '../files/jsonSyntax.js';

export const DEFAULT_MODEL_ID = 'shapes-seem-tiny';

export const DEFAULT_SETTINGS: EngineSettings = {
  executionProvider: 'auto',
  cacheLimitMB: 512,
  prefetchCount: 3,
  modelId: DEFAULT_MODEL_ID,
};

export function readSettings(path: string | null): { settings: EngineSettings; problem: string | null } {
  if (!path || !existsSync(path)) return { settings: { ...DEFAULT_SETTINGS }, problem: null };
  try {
    const parsed = storedEngineSettingsSchema.partial().parse(parseJsonText(readFileSync(path, 'utf8'), 'it'));
    return { settings: { ...DEFAULT_SETTINGS, ...parsed }, problem: null };
  } catch (error) {
    return { settings: { ...DEFAULT_SETTINGS }, problem: `Ignored ${path} (${(error as Error).message.split('\n')[0]}); using defaults.` };
  }
}

export function writeSettings(path: string | null, settings: EngineSettings): void {
  if (path) writeFileAtomic(path, Buffer.from(JSON.stringify(settings, null, 2)));
}
