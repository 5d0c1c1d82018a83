// What twoWriters.test.ts and its two writer children share: the ids the
// host writer gives its annotations, and one line to the parent written
// synchronously, so a line printed before a SIGKILL is never lost in a buffer.
import { writeSync } from 'node:fs';

export const HOST_BATCH = 20;
export const hostAnnotationId = (batch: number, index: number) => `host-${batch}-${index}`;

export function say(line: string): void {
  const bytes = Buffer.from(`${line.replace(/\n/g, ' ')}\n`);
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error; // a full pipe: the parent is reading
    }
  }
}
