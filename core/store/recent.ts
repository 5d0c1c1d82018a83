// Recently opened project folders, most recent first, in a JSON file in the
// user's config folder. A missing or malformed file just means "no history".
import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { writeFileAtomic } from '../../files/atomicWrite.js';

const MAX_RECENT = 10;
const recentFileSchema = z.object({ projects: z.array(z.string().min(1).max(4096)).max(100) });

export class RecentProjects {
  constructor(private readonly file: string) {}

  list(): string[] {
    try {
      const parsed = recentFileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? [...new Set(parsed.data.projects)].slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  add(dir: string): void {
    const projects = [dir, ...this.list().filter((existing) => existing !== dir)].slice(0, MAX_RECENT);
    try {
      writeFileAtomic(this.file, `${JSON.stringify({ projects }, null, 2)}\n`);
    } catch {
      // Losing the history is not worth failing the open that triggered it.
    }
  }
}
