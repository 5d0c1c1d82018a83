// Write-then-rename so a reader (or a crash) never sees a half-written file.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const tempName = (path: string) => `${path}.tmp-${process.pid}-${Date.now()}`;

export function writeFileAtomic(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempName(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Streams pieces into a temp file, renamed into place by commit(); abort() removes it. */
export class AtomicFileWriter {
  private readonly temp: string;
  private fd: number | null;
  private buffered: string[] = [];
  private bufferedLength = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.temp = tempName(path);
    this.fd = openSync(this.temp, 'w');
  }

  write(piece: string): void {
    this.buffered.push(piece);
    this.bufferedLength += piece.length;
    if (this.bufferedLength > 1 << 22) this.flush(); // ~4 MB chunks: few syscalls, bounded memory
  }

  commit(): void {
    this.flush();
    this.closeFd();
    renameSync(this.temp, this.path);
  }

  abort(): void {
    this.closeFd();
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.fd === null || this.buffered.length === 0) return;
    writeSync(this.fd, this.buffered.join(''));
    this.buffered = [];
    this.bufferedLength = 0;
  }

  private closeFd(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
