// Write-then-rename so a reader (or a crash) never sees a half-written file.
// A full disk or an unwritable folder is reported as such (AppError), with
// the temp file removed and any earlier file under the name left intact.
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { ensureDir } from './ensureDir.js';
import { plainWriteError } from './fsErrors.js';

const tempName = (path: string) => `${path}.tmp-${process.pid}-${Date.now()}`;
const writeError = (error: unknown, path: string) => plainWriteError(error, `cannot write ${path}`, dirname(path));

export function writeFileAtomic(path: string, data: string | Buffer): void {
  ensureDir(dirname(path));
  const temp = tempName(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw writeError(error, path);
  }
}

/** Streams pieces into a temp file, renamed into place by commit(); abort() removes it. */
export class AtomicFileWriter {
  private readonly temp: string;
  private fd: number | null;
  private buffered: string[] = [];
  private bufferedLength = 0;

  constructor(readonly path: string) {
    ensureDir(dirname(path));
    this.temp = tempName(path);
    try {
      this.fd = openSync(this.temp, 'w');
    } catch (error) {
      throw writeError(error, path);
    }
  }

  write(piece: string): void {
    this.buffered.push(piece);
    this.bufferedLength += piece.length;
    if (this.bufferedLength > 1 << 22) this.flush(); // ~4 MB chunks: few syscalls, bounded memory
  }

  commit(): void {
    try {
      this.flush();
      this.closeFd();
      renameSync(this.temp, this.path);
    } catch (error) {
      throw writeError(error, this.path);
    }
  }

  abort(): void {
    this.closeFd();
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.fd === null || this.buffered.length === 0) return;
    const bytes = Buffer.from(this.buffered.join(''), 'utf8');
    this.buffered = [];
    this.bufferedLength = 0;
    try {
      // A nearly full disk can take part of a write without an error: loop until all of it is in.
      for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      throw writeError(error, this.path);
    }
  }

  private closeFd(): void {
    const fd = this.fd;
    this.fd = null; // cleared first, so abort() after a failed close does not close it twice
    if (fd !== null) closeSync(fd);
  }
}
