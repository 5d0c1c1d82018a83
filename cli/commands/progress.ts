// Throttled "label: done/total" lines on stderr for long runs.
import type { CliIo } from './types.js';

export function progressPrinter(io: CliIo, label: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 500 && done < total) return;
    last = now;
    io.stderr(`${label}: ${done}/${total}\n`);
  };
}
